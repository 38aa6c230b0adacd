-- The capacity view of a site, per site and per queue, read in one script so every number is of the same instant.
--
-- Agents count as `available` while they offer slots, `away` or `draining` while their heartbeat is live,
-- `offline` otherwise. Slots: `total` and `free` over available agents; `chats` and `held` over all agents.
-- Per queue also the wait estimate's inputs and its recorded samples (see `WaitEstimateReply`).
-- Keys: every agent's hash, the queues' waiting lines, statistics and estimate samples, counters (and what the
-- sweep touches); for a sample also the per-queue counters, the sampling lease and the minute's history.
-- ARGV (after the prelude's, see prelude.lua; Swift: CapacityArguments):
--   [13] leaseMilliseconds  0 for a plain read; for a sample (see `Broker.sample`) how long its lease on the history
--                           lasts (ms)
--   [14] listedAgents       how many agents to list by name
-- Result: `{agents, slots, waiting, queues: {name: {agents, slots, waiting, estimate}}, agentLoad: [{agent, status,
-- maxChats, chats, held}] (in id order), counters}`; a sample adds `queueCounters` (`<queue>|<counter>` -> count),
-- `historyMinuteBytes` (the last full minute's history) and `sampledAt` (Redis's clock, ms), which orders samples
-- read by several samplers at once.

sweep()
local function blank()
    return { agents = { available = 0, away = 0, draining = 0, offline = 0 },
             slots = { total = 0, chats = 0, held = 0, free = 0 }, waiting = 0 }
end
local function bucket_of(r)
    if offers(r) then return 'available' end
    if r.deadline > NOW and (r.status == 'away' or r.status == 'draining') then return r.status end
    return 'offline'
end
local function add(view, r)
    local bucket = bucket_of(r)
    view.agents[bucket] = view.agents[bucket] + 1
    view.slots.chats = view.slots.chats + r.chats
    view.slots.held = view.slots.held + r.held
    if offers(r) then
        view.slots.total = view.slots.total + r.maxChats
        view.slots.free = view.slots.free + math.max(0, free_of(r))
    end
end
local site = blank()
local queues = {}
local anyQueue = false
for _, q in ipairs(all_queues()) do
    queues[q] = blank()
    queues[q].waiting = redis.call('ZCARD', qwait(q))
    site.waiting = site.waiting + queues[q].waiting
    anyQueue = true
end
local listLimit = tonumber(ARGV[14])
local ids = redis.call('SMEMBERS', K.agents)
table.sort(ids)
local load = {}
for _, a in ipairs(ids) do
    local r = agent(a)
    if r then
        if #load < listLimit then
            load[#load + 1] = { agent = a, status = bucket_of(r), maxChats = r.maxChats, chats = r.chats, held = r.held }
        end
        add(site, r)
        for _, q in ipairs(r.queueList) do
            if queues[q] then add(queues[q], r) end
        end
    end
end
for q, view in pairs(queues) do
    local e = estimate_inputs(q)
    local stats = hash(qstats(q)) or {}
    e.handleN = tonumber(stats.handleN)
    e.firstN = tonumber(stats.firstN)
    local samples = redis.call('LRANGE', K.queue .. q .. ':estimates', 0, -1)
    if #samples > 0 then e.samples = samples end
    view.estimate = e
end
local function counts(key)
    local t = {}
    local raw = redis.call('HGETALL', key)
    for i = 1, #raw, 2 do t[raw[i]] = tonumber(raw[i + 1]) end
    return t
end
site.counters = counts(K.counters)
if anyQueue then site.queues = queues end
if #load > 0 then site.agentLoad = load end
local leaseMs = tonumber(ARGV[13])
if leaseMs > 0 then
    -- A sample: the per-queue counters for the metrics, and (once per lease, whichever instance comes
    -- first) the gauges into the minute's history, as sums with a sample count.
    site.queueCounters = counts(K.qcounters)
    if HISTORY_MS > 0 and redis.call('SET', K.sampled, '1', 'NX', 'PX', leaseMs) then
        local function record(q, view)
            roll(q, H.samples, 1)
            roll(q, H.agents, view.agents.available)
            roll(q, H.slots, view.slots.total)
            roll(q, H.chats, view.slots.chats)
            roll(q, H.held, view.slots.held)
            roll(q, H.free, view.slots.free)
            roll(q, H.waiting, view.waiting)
        end
        record('*', site)
        for q, view in pairs(queues) do record(q, view) end
    end
    local previous = K.minute .. (math.floor(NOW / 60000) - 1)
    site.historyMinuteBytes = redis.call('MEMORY', 'USAGE', previous) or 0
    site.sampledAt = NOW
end
return cjson.encode(site)
