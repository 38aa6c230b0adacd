-- Scenario (b) of scripts/bench-load: a decision mix that must reach Redis. Run as `wrk -t C -c C`, so each
-- thread has one connection and a reply always answers that thread's last request: a poll's invitation id chains
-- into its accept or decline, a chat's id into its end. Each thread repeats this cycle of eight requests:
--   poll (new visitor) -> accept -> end (ops token) -> poll (new visitor) -> decline
--   -> reactive chat request (new visitor) -> end (ops token; cancel by the visitor if it waits) -> heartbeat
-- that is 2/8 polls with free slots, 1/8 accepts, 1/8 declines, 1/8 chat requests, 2/8 ends, 1/8 heartbeats (a
-- random agent's presence, with that agent's token). A withheld poll skips its accept or decline.
-- Each request's latency (from building it to its reply) goes into a per-endpoint histogram.
-- Environment: USHER_BENCH_LUA, USHER_BENCH_SITE, USHER_BENCH_TOKEN (website), USHER_BENCH_OPS_TOKEN,
-- USHER_BENCH_AGENTS (a file of "agent token" lines), USHER_BENCH_MAX_CHATS. For many sites the four per-site
-- variables list them space-separated, in the same order, and thread N works on site N (modulo their number).
local summary = dofile(os.getenv("USHER_BENCH_LUA") .. "/summary.lua")
local ffi = require("ffi")
ffi.cdef([[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clock, bench_timespec *ts);
]])
local clock = ffi.new("bench_timespec")
local function nowMicroseconds()
    ffi.C.clock_gettime(1, clock)
    return tonumber(clock.tv_sec) * 1e6 + tonumber(clock.tv_nsec) / 1e3
end

local function words(name)
    local list = {}
    for word in os.getenv(name):gmatch("%S+") do table.insert(list, word) end
    return list
end
local presence = string.format('{"status": "available", "maxChats": %s, "session": "bench"}', os.getenv("USHER_BENCH_MAX_CHATS"))
-- This thread's site, chosen in init once the thread knows its number.
local base, website, ops, agents

local function work_on(index)
    local sites, tokens, opsTokens, agentFiles = words("USHER_BENCH_SITE"), words("USHER_BENCH_TOKEN"),
        words("USHER_BENCH_OPS_TOKEN"), words("USHER_BENCH_AGENTS")
    local i = (index - 1) % #sites + 1
    base = "/v1/sites/" .. sites[i]
    website = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. tokens[i] }
    ops = { ["Authorization"] = "Bearer " .. opsTokens[i] }
    agents = {}
    for line in io.lines(agentFiles[i]) do
        local agent, token = line:match("^(%S+) (%S+)$")
        table.insert(agents, { path = base .. "/agents/" .. agent .. "/presence", token = "Bearer " .. token })
    end
end

-- Per thread (each wrk thread loads this file into its own Lua state); read back by done() through thread:get.
tid = 0
hist = {}
counts = {}
bad = {}
withheld = 0
waiting = 0
leftChat = ""
leftInvitation = ""
leftVisitor = ""

local step = "pollAccept"
local afterEnd = "pollDecline"
local visitor, invitation, chat = "", "", ""
local sent, endpoint = 0, ""
local serial = 0

local function newVisitor()
    serial = serial + 1
    return string.format("m%d-%d-%d", tid, serial, math.random(1, 1000000000))
end

local function visitorBody()
    return '{"visitor": "' .. visitor .. '"}'
end

function setup(thread)
    counter = (counter or 0) + 1
    thread:set("tid", counter)
    threads = threads or {}
    table.insert(threads, thread)
end

function init()
    math.randomseed(tid * 7919 + os.time())
    work_on(tid)
end

function request()
    sent = nowMicroseconds()
    if step == "pollAccept" or step == "pollDecline" then
        visitor = newVisitor()
        endpoint = "poll"
        return wrk.format("POST", base .. "/invitations", website, visitorBody())
    elseif step == "accept" or step == "decline" then
        endpoint = step
        return wrk.format("POST", base .. "/invitations/" .. invitation .. "/" .. step, website, visitorBody())
    elseif step == "chat" then
        visitor = newVisitor()
        endpoint = "chat"
        return wrk.format("POST", base .. "/chats", website, '{"visitor": "' .. visitor .. '", "source": "reactive"}')
    elseif step == "end" then
        endpoint = "end"
        return wrk.format("POST", base .. "/chats/" .. chat .. "/end", ops, nil)
    elseif step == "cancel" then
        endpoint = "cancel"
        return wrk.format("POST", base .. "/chats/" .. chat .. "/cancel", website, visitorBody())
    end
    endpoint = "heartbeat"
    local agent = agents[math.random(1, #agents)]
    return wrk.format("PUT", agent.path, { ["Content-Type"] = "application/json", ["Authorization"] = agent.token }, presence)
end

local function record(status)
    local micros = math.max(1, nowMicroseconds() - sent)
    local bucket = math.floor(100 * math.log10(micros))
    -- Flat tables only: thread:get copies one level of a table (nested tables crash wrk).
    local key = endpoint .. " " .. bucket
    hist[key] = (hist[key] or 0) + 1
    counts[endpoint] = (counts[endpoint] or 0) + 1
    if status < 200 or status > 299 then bad[endpoint] = (bad[endpoint] or 0) + 1 end
end

function response(status, _, body)
    record(status)
    local ok = status >= 200 and status <= 299
    if step == "pollAccept" or step == "pollDecline" then
        local id = ok and body:match('"id":"([^"]+)"')
        if id then
            invitation = id
            leftInvitation, leftVisitor = id, visitor
            step = step == "pollAccept" and "accept" or "decline"
        else
            withheld = withheld + 1
            step = step == "pollAccept" and "pollDecline" or "chat"
        end
    elseif step == "accept" then
        leftInvitation = ""
        local id = ok and body:match('"id":"([^"]+)"')
        if id then
            chat, leftChat, afterEnd, step = id, id, "pollDecline", "end"
        else
            step = "pollDecline"
        end
    elseif step == "decline" then
        leftInvitation = ""
        step = "chat"
    elseif step == "chat" then
        local id = ok and body:match('"id":"([^"]+)"')
        if id then
            chat, leftChat, afterEnd = id, id, "heartbeat"
            if body:match('"state":"waiting"') then
                waiting = waiting + 1
                step = "cancel"
            else
                step = "end"
            end
        else
            step = "heartbeat"
        end
    elseif step == "end" or step == "cancel" then
        leftChat = ""
        step = afterEnd
    else
        step = "pollAccept"
    end
end

function done(s, latency)
    local merged, total, totalBad = {}, {}, {}
    local withheldAll, waitingAll = 0, 0
    for _, thread in ipairs(threads) do
        for key, n in pairs(thread:get("hist")) do
            local name, bucket = key:match("^(%S+) (%S+)$")
            bucket = tonumber(bucket)
            merged[name] = merged[name] or {}
            merged[name][bucket] = (merged[name][bucket] or 0) + n
        end
        for name, n in pairs(thread:get("counts")) do total[name] = (total[name] or 0) + n end
        for name, n in pairs(thread:get("bad")) do totalBad[name] = (totalBad[name] or 0) + n end
        withheldAll = withheldAll + thread:get("withheld")
        waitingAll = waitingAll + thread:get("waiting")
        local leftChatId, leftInvitationId = thread:get("leftChat"), thread:get("leftInvitation")
        if leftChatId ~= "" then io.write("LEFT chat " .. leftChatId .. "\n") end
        if leftInvitationId ~= "" then io.write("LEFT invitation " .. leftInvitationId .. " " .. thread:get("leftVisitor") .. "\n") end
    end
    local endpoints = {}
    for name, n in pairs(total) do
        local buckets = {}
        for bucket in pairs(merged[name]) do table.insert(buckets, bucket) end
        table.sort(buckets)
        local function percentile(p)
            local target, seen = n * p / 100, 0
            for _, bucket in ipairs(buckets) do
                seen = seen + merged[name][bucket]
                if seen >= target then return math.floor(10 ^ ((bucket + 0.5) / 100)) end
            end
            return 0
        end
        table.insert(endpoints, string.format('"%s": {"requests": %d, "non2xx": %d, "p50": %d, "p99": %d, "p999": %d}',
            name, n, totalBad[name] or 0, percentile(50), percentile(99), percentile(99.9)))
    end
    summary.line(s, latency, string.format('"withheld": %d, "waiting": %d, "endpoints": {%s}', withheldAll, waitingAll,
        table.concat(endpoints, ", ")))
end
