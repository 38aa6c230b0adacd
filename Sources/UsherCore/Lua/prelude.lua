-- The prelude every script but siteSettings.lua runs after (and after hash.lua): the site's keys, Redis's clock, the
-- site settings, token checks, and the bookkeeping that keeps agents, holds, chats and the waiting lines consistent.
-- Its top-level locals are the scripts' library (.luacheckrc reads them from here).
--
-- Calling convention of every script (Swift renders these as PreludeArguments):
--   KEYS[1]   the site's settings hash `usher:{site}:settings`. Every other key a script touches is derived from it
--             and carries the same `{site}` hash tag, so all of a site's state sits in one Redis Cluster slot.
--   ARGV[1]   caller: `admin` (the root, whose token was checked outside) or `bearer <token>`
--   ARGV[2]   roles: the roles that may call, comma-separated
--   ARGV[3]   agent: the agent the path names ("" if none)
--   ARGV[4]   address: the client's address (the key of the per-address rate limit)
--   ARGV[5]   sweep limit: how many expired items one call sweeps at most
--   ARGV[6]   retention: how long resolved invitations and ended chats are kept (ms)
--   ARGV[7]   history: how long the per-minute history is kept (ms, 0 keeps none)
--   ARGV[8]   max queues: the most queues a site may have
--   ARGV[9]   max agents: the most agents a site may have
--   ARGV[10]  max tokens: the most tokens a site may have
--   ARGV[11]  max superseded: superseded sessions remembered per agent
--   ARGV[12]  max retained: resolved invitations and ended chats kept per site
--   A script's own arguments start at ARGV[13].
-- A script names a site key as K.<name> (SiteKeys.Name), a count as C.<name> (DecisionCount), a history measure as
-- H.<name> (HistoryMeasure) and a value of the Swift side as S.<name>, never by hand: Script.expand writes them out
-- before the script is loaded.
-- A script validates everything before its first write: a Lua error does not undo the writes before it.
-- The result is a JSON string; a refusal is the error reply `USHER <code>` (`no_site`, `forbidden`, ...).
local P = string.sub(KEYS[1], 1, -9) -- strip "settings"
-- In a Redis Cluster a script declares only the site's settings and reads the site's other keys by name: while the
-- site's slot moves to another node its keys move one by one, and a script on the old node would find some gone.
-- There, reading a key the node does not hold is an error, and `K.probe` never exists: before anything is read or
-- written, a slot on the move refuses the call as TRYAGAIN, which the client retries until the move is done. (The
-- client does not follow a script's ASK to the new node, where the keys not yet moved would read as absent.)
do
    local probe = redis.pcall('EXISTS', K.probe)
    if type(probe) == 'table' then return redis.error_reply('TRYAGAIN the site is moving between cluster nodes: ' .. probe.err) end
end
-- A number sent to Redis costs it a formatting as text and a parsing back: what a call sends often goes as text
-- (NOW_TEXT, SWEEP_LIMIT_TEXT, ONE).
local NOW, NOW_TEXT
do
    local t = redis.call('TIME')
    -- Seconds, then the microseconds zero-padded to six digits and cut to milliseconds.
    NOW_TEXT = t[1] .. string.sub(string.rep('0', 6 - #t[2]) .. t[2], 1, 3)
    NOW = tonumber(NOW_TEXT)
end
local ADDRESS = ARGV[4]
-- A call that decides for several client addresses in turn (invitation.lua) names each before its decision.
local function act_for(address) ADDRESS = address end
local SWEEP_LIMIT = tonumber(ARGV[5])
local SWEEP_LIMIT_TEXT = ARGV[5]
local ONE = '1'
local RETENTION_MS = tonumber(ARGV[6])
local HISTORY_MS = tonumber(ARGV[7])
local MAX_QUEUES = tonumber(ARGV[8])
local MAX_AGENTS = tonumber(ARGV[9])
local MAX_TOKENS = tonumber(ARGV[10])
local MAX_RETIRED = tonumber(ARGV[11])
local MAX_RETAINED = tonumber(ARGV[12])
-- What a site that does not store a setting (created before it existed) decides with.
local DEFAULTS = S.defaults

-- A refusal is an error reply `USHER <code>`: never mistaken for a result, and counted by Redis's errorstats.
local function fail(code) return redis.error_reply('USHER ' .. code) end

local function split(csv)
    local t = {}
    for s in string.gmatch(csv or '', '[^,]+') do t[#t + 1] = s end
    return t
end

local SETTINGS = hash(KEYS[1])
local CALLER_ROLE = 'admin'
local CALLER_AGENT = ''

-- Site must exist; the caller's token must be one of this site's, of an allowed role, bound to the agent named.
-- Tokens are stored only as SHA-1 digests of 256 random bits.
local function authorize()
    if SETTINGS == nil then return 'no_site' end
    if ARGV[1] == 'admin' then return nil end
    local token = string.match(ARGV[1], '^bearer (.+)$')
    if not token then return 'forbidden' end
    local grant = redis.call('HGET', K.tokens, redis.sha1hex(token))
    if not grant then return 'forbidden' end
    grant = cjson.decode(grant)
    CALLER_ROLE = grant.role
    CALLER_AGENT = grant.agent or ''
    local allowed = false
    for _, role in ipairs(split(ARGV[2])) do
        if role == grant.role then allowed = true end
    end
    if not allowed then return 'forbidden' end
    if grant.role == 'agent' and ARGV[3] ~= '' and grant.agent ~= ARGV[3] then return 'forbidden' end
    return nil
end

local function setting(name)
    local value = tonumber(SETTINGS[name])
    if value == nil then return DEFAULTS[name] end
    return value
end

-- Websites name only queues that exist: `default`, those of the site's `queues` setting, and those some
-- agent serves (the set `queues`, grown only by presence and bounded by MAX_QUEUES).
local function configured_queues() return split(SETTINGS.queues) end
local function known_queue(q)
    if q == 'default' or redis.call('SISMEMBER', K.queues, q) == 1 then return true end
    for _, c in ipairs(configured_queues()) do
        if c == q then return true end
    end
    return false
end
local function all_queues()
    local seen, list = {}, {}
    local function add(q)
        if not seen[q] then seen[q] = true; list[#list + 1] = q end
    end
    add('default')
    for _, q in ipairs(redis.call('SMEMBERS', K.queues)) do add(q) end
    for _, q in ipairs(configured_queues()) do add(q) end
    -- A queue dropped from the settings still shows while chats wait in it.
    for _, q in ipairs(redis.call('SMEMBERS', K.lines)) do add(q) end
    return list
end

-- A website call refused for its rate or its address's share: counted, then the error reply with how long
-- until a retry can pass.
local function limited(retryMs)
    redis.call('HINCRBY', K.counters, C.rateLimited, ONE)
    return fail('rate_limited ' .. retryMs)
end

-- Generic cell rate limit: `key` holds the theoretical arrival time; a request passes while it lies less
-- than `burst` intervals ahead. Returns the new arrival time to store, or nil and how long until the next
-- request would pass (ms). Nothing is written here, so one limit's refusal costs the other nothing.
local function rate_check(key, intervalMs, burst)
    local tat = math.max(tonumber(redis.call('GET', key) or '0'), NOW) + intervalMs
    local ahead = tat - NOW - burst * intervalMs
    if ahead > 0 then return nil, math.ceil(ahead) end
    return tat
end
-- The website's limits, per site and per client address, checked in the decision's own round trip. A
-- request refused by either counts against neither, so a flood from one address cannot spend the site's
-- limit, and a refused flood is refused only while it lasts.
local function throttle()
    if CALLER_ROLE ~= 'website' then return nil end
    local checks = {}
    local perMinute = setting('addressRequestsPerMinute')
    if perMinute > 0 then
        checks[#checks + 1] = { K.rateAddress .. ADDRESS, 60000 / perMinute, setting('addressBurstRequests') }
    end
    local perSecond = setting('siteRequestsPerSecond')
    if perSecond > 0 then
        checks[#checks + 1] = { K.rateSite, 1000 / perSecond, setting('siteBurstRequests') }
    end
    local passed = {}
    for i, c in ipairs(checks) do
        local tat, retryMs = rate_check(c[1], c[2], c[3])
        if tat == nil then return limited(retryMs) end
        passed[i] = tat
    end
    for i, c in ipairs(checks) do
        redis.call('SET', c[1], string.format('%.3f', passed[i]), 'PX', math.ceil(passed[i] - NOW))
    end
    return nil
end

local function akey(a) return K.agent .. a end
local function qfree(q) return K.queue .. q .. ':free' end
local function qwait(q) return K.queue .. q .. ':waiting' end
local function ikey(id) return K.invitation .. id end
local function ckey(id) return K.chat .. id end

local function agent(a)
    local r = hash(akey(a))
    if r == nil then return nil end
    r.id = a
    r.maxChats = tonumber(r.maxChats)
    r.chats = tonumber(r.chats)
    r.held = tonumber(r.held)
    r.deadline = tonumber(r.deadline)
    r.queueList = split(r.queues)
    return r
end

-- An agent offers slots only while available with a live heartbeat.
local function offers(r) return r.status == 'available' and r.deadline > NOW end
local function free_of(r) return r.maxChats - r.chats - r.held end

-- Keeps the agent's entry in each of its queues' free sets equal to its free slots, absent when it has none.
-- Per queue, the slots of the agents offering in it: a sorted set of agent → maxChats and its sum in
-- one hash field, so a waiting estimate reads one field instead of every agent.
local function qserving(q) return K.queue .. q .. ':serving' end
local function set_serving(q, a, slots)
    local old = tonumber(redis.call('ZSCORE', qserving(q), a) or '0')
    if slots > 0 then
        redis.call('ZADD', qserving(q), slots, a)
    else
        redis.call('ZREM', qserving(q), a)
    end
    if slots ~= old then redis.call('HINCRBY', K.serving, q, slots - old) end
end
local function serving_slots(q) return tonumber(redis.call('HGET', K.serving, q) or '0') end

-- What an agent adds to the capacity view of the site and of each queue it serves: its state for the agent counts,
-- its chats and holds, and the slots it offers (total, free). The view sums these in `K.agg` and per queue, so that
-- it reads one hash per queue instead of every agent; each agent keeps what it last added in its field `agg`
-- (`<bucket> <chats> <held> <total> <free> <queues>`), so that a change moves the sums by the difference. A site
-- whose sums predate them (no `~` in `K.agg`) has them built once by the first view (`agg_rebuild`).
local function bucket_of(r)
    if offers(r) then return 'available' end
    if r.deadline > NOW and (r.status == 'away' or r.status == 'draining') then return r.status end
    return 'offline'
end
local AGG_SLOTS = { 'chats', 'held', 'total', 'free' }
local function contribution(r)
    local offering = offers(r)
    return table.concat({ bucket_of(r), r.chats, r.held, offering and r.maxChats or 0,
        offering and math.max(0, free_of(r)) or 0, r.queues or '' }, ' ')
end
-- A contribution as `contribution` writes it, or nil for text of another shape (it added nothing it can say).
local function parse_contribution(text)
    local bucket, chats, held, slots, free, queues = string.match(text or '', '^(%S+) (%S+) (%S+) (%S+) (%S+) ?(.*)$')
    local c = { bucket = bucket, chats = tonumber(chats), held = tonumber(held), total = tonumber(slots),
        free = tonumber(free), queueList = split(queues or '') }
    if not (bucket and c.chats and c.held and c.total and c.free) then return nil end
    return c
end
local function qagg(q) return K.queue .. q .. ':agg' end
-- Adds a contribution (`sign` 1) or takes it away (-1) in `sums`: sum key -> field -> amount.
local function share(c, sign, sums)
    local keys = { K.agg }
    for _, q in ipairs(c.queueList) do keys[#keys + 1] = qagg(q) end
    for _, key in ipairs(keys) do
        local fields = sums[key] or {}
        sums[key] = fields
        fields[c.bucket] = (fields[c.bucket] or 0) + sign
        for _, field in ipairs(AGG_SLOTS) do fields[field] = (fields[field] or 0) + sign * c[field] end
    end
end
local function move_sums(deltas)
    for key, fields in pairs(deltas) do
        for field, n in pairs(fields) do
            if n ~= 0 then redis.call('HINCRBY', key, field, n) end
        end
    end
end
-- Moves the sums by what changed in the agent since it last added to them. What it added is read from Redis, not
-- from `r`: another table of the same agent may have moved the sums since `r` was read.
local function account(r)
    local now = contribution(r)
    local before = redis.call('HGET', akey(r.id), 'agg')
    if before == now then return end
    local deltas = {}
    -- An unreadable record is taken as nothing added; the sums' drift that leaves is reconcile's to find.
    local added = parse_contribution(before)
    if added then share(added, -1, deltas) end
    share(parse_contribution(now), 1, deltas)
    move_sums(deltas)
    redis.call('HSET', akey(r.id), 'agg', now)
end
-- Builds the sums from every agent as it is now, and the index of agents by id (a site whose sums predate them,
-- or a repair).
local function agg_rebuild(queues)
    redis.call('DEL', K.agg, K.agentIds)
    for _, q in ipairs(queues) do redis.call('DEL', qagg(q)) end
    local sums = {}
    for _, a in ipairs(redis.call('SMEMBERS', K.agents)) do
        redis.call('ZADD', K.agentIds, 0, a)
        local r = agent(a)
        if r then
            local c = contribution(r)
            redis.call('HSET', akey(a), 'agg', c)
            share(parse_contribution(c), 1, sums)
        end
    end
    move_sums(sums)
    redis.call('HSET', K.agg, '~', ONE)
end

-- Keeps the agent's entry in each of its queues' free sets equal to its free slots, absent when it has
-- none, its serving slots and its share of the capacity sums in step.
local function refresh(r)
    -- Back under a lowered limit: from now on the limit holds as it is.
    if r.overLimit and r.chats <= r.maxChats then
        redis.call('HDEL', akey(r.id), 'overLimit')
        r.overLimit = nil
    end
    local f = free_of(r)
    for _, q in ipairs(r.queueList) do
        if offers(r) and f > 0 then
            redis.call('ZADD', qfree(q), f, r.id)
        else
            redis.call('ZREM', qfree(q), r.id)
        end
        set_serving(q, r.id, offers(r) and r.maxChats or 0)
    end
    account(r)
end

local function bump(r, field, delta)
    r[field] = r[field] + delta
    redis.call('HINCRBY', akey(r.id), field, delta)
end
local function total(field, delta) redis.call('HINCRBY', K.totals, field, delta) end

-- What the sweep expires, each a sorted set by deadline: holds, heartbeats, orphans' grace and waits. `K.due` scores
-- each set by a time no later than its earliest deadline ('+inf' when it is empty), so that a call with nothing due
-- reads one key instead of every set, and holds `~` at '-inf' to tell a site that keeps the bounds from one made
-- before them. Every deadline enters its set through `schedule` (LT only ever lowers a bound); a removal leaves the
-- bound early, which costs one sweep that finds nothing. `DUE` names the sets due in this call, nil until `sweep`.
local DUE = nil
local function schedule(key, score, member, option)
    if option then
        redis.call('ZADD', key, option, score, member)
    else
        redis.call('ZADD', key, score, member)
    end
    redis.call('ZADD', K.due, 'LT', score, key)
    if DUE and score <= NOW then DUE[key] = true end
end

-- Resolved invitations and ended chats stay readable for RETENTION_MS, and at most MAX_RETAINED of them
-- per site: past that the oldest go early, so a flood of short-lived records cannot hold memory for a day.
-- The record just retained is never the one to go, whatever the clock did.
local function retain(key)
    redis.call('PEXPIRE', key, RETENTION_MS)
    local index = K.retained
    redis.call('ZADD', index, NOW, key)
    redis.call('ZREMRANGEBYSCORE', index, '-inf', NOW - RETENTION_MS)
    local excess = redis.call('ZCARD', index) - MAX_RETAINED
    if excess > 0 then
        for _, old in ipairs(redis.call('ZRANGE', index, 0, excess)) do
            if old ~= key and excess > 0 then
                redis.call('ZREM', index, old)
                redis.call('DEL', old)
                excess = excess - 1
            end
        end
    end
end

-- What the visitors of one client address hold at once (`held` invitations, `open` chats), for the
-- website's per-address caps. A record remembers the address it was made for, so its end counts down.
local function tally(kind, address, delta)
    if address == nil then return end
    local key = K.address .. kind
    if redis.call('HINCRBY', key, address, delta) <= 0 then redis.call('HDEL', key, address) end
end
-- The refusal of a website call that would take its address past its cap, nil while there is room.
local ADDRESS_CAPS = { held = 'addressMaxHolds', open = 'addressMaxOpenChats' }
local function address_full(kind, retryMs)
    local cap = setting(ADDRESS_CAPS[kind])
    if CALLER_ROLE ~= 'website' or cap <= 0 then return nil end
    if tonumber(redis.call('HGET', K.address .. kind, ADDRESS) or '0') < cap then return nil end
    return limited(retryMs)
end
local function caller_address()
    if CALLER_ROLE == 'website' then return ADDRESS end
    return nil
end

-- The per-minute history: one hash per minute, fields `<queue>|<measure>`, summed as events happen and kept
-- for HISTORY_MS after the minute ends. A queue no agent or chat has named is '~', so visitors cannot add
-- fields; the site as a whole is '*'. Neither character is allowed in a queue name.
local function history_queue(q)
    if q and known_queue(q) then return q end
    return '~'
end
local function roll(q, field, n)
    if HISTORY_MS <= 0 then return end
    local minute = math.floor(NOW / 60000)
    local key = K.minute .. minute
    if redis.call('HINCRBY', key, q .. '|' .. field, n == 1 and ONE or n) == n then
        redis.call('PEXPIREAT', key, (minute + 1) * 60000 + HISTORY_MS)
    end
end
-- A decision counted for the site (`counters`, the capacity view), per queue (`qcounters`, the metrics)
-- and in the minute's history; `n` of them at once when given.
local function count(field, q, n)
    n = n or 1
    local by = n == 1 and ONE or n
    redis.call('HINCRBY', K.counters, field, by)
    q = history_queue(q)
    redis.call('HINCRBY', K.qcounters, q .. '|' .. field, by)
    roll(q, field, n)
end

-- The visitor's one open chat (assigned or waiting), nil when there is none; a stale pointer is dropped. `pointer`:
-- the visitor's chat pointer when the caller read it already (false when absent).
local function vchat(v) return K.visitor .. v .. ':chat' end
local function open_chat(v, pointer)
    local id = pointer
    if id == nil then id = redis.call('GET', vchat(v)) end
    if not id then return nil end
    local state = redis.call('HGET', ckey(id), 'state')
    if state == 'assigned' or state == 'waiting' then return id end
    redis.call('DEL', vchat(v))
    return nil
end
-- A chat is over: kept for a while (see `retain`), and its visitor may open another.
local function close_chat(chat, state)
    local c = redis.call('HMGET', ckey(chat), 'visitor', 'address')
    redis.call('HSET', ckey(chat), 'state', state, 'endedAt', NOW)
    retain(ckey(chat))
    if c[1] and redis.call('GET', vchat(c[1])) == chat then redis.call('DEL', vchat(c[1])) end
    tally('open', c[2] or nil, -1)
end

local function assign(chat, r)
    redis.call('HSET', ckey(chat), 'state', 'assigned', 'agent', r.id, 'assignedAt', NOW)
    redis.call('ZREM', K.waitdue, chat)
    redis.call('SADD', akey(r.id) .. ':chats', chat)
    bump(r, 'chats', 1)
    total('chats', 1)
    refresh(r)
end

-- A waiting chat leaves the line for good: its visitor cancelled, or nobody took it within maxWaitSeconds.
-- The queues with someone waiting, so that no view or check misses a line (see `all_queues`).
local function line_left(q)
    if redis.call('ZCARD', qwait(q)) == 0 then redis.call('SREM', K.lines, q) end
end

local function abandon(chat, q)
    if redis.call('ZREM', qwait(q), chat) == 1 then total('waiting', -1) end
    line_left(q)
    redis.call('ZREM', K.waitdue, chat)
    close_chat(chat, 'abandoned')
    count(C.abandoned, q)
end

-- The head of the queue's line that is still worth serving; heads past their wait are abandoned on the way,
-- SWEEP_LIMIT + 1 at most per call. Behind more than that the slot stays free until the sweeper's passes
-- (which serve the lines they thin) reach the live chat. The head after the last abandoned one is still
-- looked at: were it live and left, no head would be due to make a pass serve the line again.
local function line_head(q)
    for abandoned = 0, SWEEP_LIMIT + 1 do
        local head = redis.call('ZRANGE', qwait(q), 0, 0, 'WITHSCORES')
        if #head == 0 then return nil end
        local due = tonumber(redis.call('ZSCORE', K.waitdue, head[1]) or '0')
        if due == 0 or due > NOW then return head[1], tonumber(head[2]) end
        if abandoned > SWEEP_LIMIT then return nil end
        abandon(head[1], q)
    end
end

-- Hands free slots of this agent to the longest-standing head among its queues' waiting lines.
local function serve(r)
    while offers(r) and free_of(r) > 0 do
        local best, bestScore, bestQueue = nil, nil, nil
        for _, q in ipairs(r.queueList) do
            local head, score = line_head(q)
            if head and (bestScore == nil or score < bestScore) then
                best, bestScore, bestQueue = head, score, q
            end
        end
        if best == nil then return end
        redis.call('ZREM', qwait(bestQueue), best)
        line_left(bestQueue)
        total('waiting', -1)
        local hq = history_queue(bestQueue)
        roll(hq, H.waitMs, NOW - tonumber(redis.call('HGET', ckey(best), 'createdAt')))
        roll(hq, H.waitN, 1)
        assign(best, r)
    end
end

-- Starts the visitor's cooldown at `from` (a site may switch cooldowns off with 0).
local function cool(visitor, from)
    local left = from + setting('cooldownSeconds') * 1000 - NOW
    if left > 0 then redis.call('SET', K.cooldown .. visitor, '1', 'PX', left) end
end

-- Ends a hold: 'expired' and 'declined' start the visitor's cooldown (an expired one from its deadline);
-- 'released' (its agent left, lowered its limit or dropped the queue) does not, and stays acceptable until
-- its deadline. Returns the hold's queue. A hold whose record is gone or already resolved only leaves the
-- index, so it can never block the sweep.
local function release_hold(id, state)
    redis.call('ZREM', K.holds, id)
    local inv = hash(ikey(id))
    if inv == nil or inv.state ~= 'held' then return nil end
    redis.call('HSET', ikey(id), 'state', state, 'resolvedAt', NOW)
    -- A released invitation may still be accepted, which rewrites `resolvedAt`: the record keeps when
    -- its slot came back.
    if state == 'released' then redis.call('HSET', ikey(id), 'releasedAt', NOW) end
    retain(ikey(id))
    tally('held', inv.address, -1)
    redis.call('SREM', akey(inv.agent) .. ':holds', id)
    local pointer = K.visitor .. inv.visitor .. ':inv'
    if redis.call('GET', pointer) == id then redis.call('DEL', pointer) end
    if state == 'expired' then cool(inv.visitor, tonumber(inv.expiresAt)) end
    if state == 'declined' then cool(inv.visitor, NOW) end
    local r = agent(inv.agent)
    if r then
        bump(r, 'held', -1)
        refresh(r)
        serve(r)
    end
    total('held', -1)
    return inv.queue
end

local function release_all_holds(r)
    for _, id in ipairs(redis.call('SMEMBERS', akey(r.id) .. ':holds')) do
        release_hold(id, 'released')
    end
end

-- The agent's heartbeat passed: no more slots from it, its holds go back at once, and its chats are closed as
-- orphaned after the grace period unless it returns.
local function lapse(r)
    redis.call('ZREM', K.presence, r.id)
    for _, q in ipairs(r.queueList) do
        redis.call('ZREM', qfree(q), r.id)
        set_serving(q, r.id, 0)
    end
    release_all_holds(r)
    if r.chats > 0 then
        schedule(K.orphans, r.deadline + setting('orphanGraceSeconds') * 1000, r.id)
    end
    account(agent(r.id))
end

local function orphan_chats(a)
    redis.call('ZREM', K.orphans, a)
    local r = agent(a)
    if r == nil or r.deadline > NOW then return end
    for _, chat in ipairs(redis.call('SMEMBERS', akey(a) .. ':chats')) do
        close_chat(chat, 'orphaned')
        redis.call('SREM', akey(a) .. ':chats', chat)
        bump(r, 'chats', -1)
        total('chats', -1)
        count(C.orphaned, redis.call('HGET', ckey(chat), 'queue'))
    end
    account(r)
end

local function serves(r, q)
    for _, x in ipairs(r.queueList) do
        if x == q then return true end
    end
    return false
end

-- The offering agent with the most free slots in the queue that `fits` (when given) accepts, fixing up
-- stale entries on the way. `fits` answers nil to end the search: no agent can fit.
local function best_agent(q, fits)
    local candidates = redis.call('ZREVRANGE', qfree(q), '0', SWEEP_LIMIT_TEXT)
    for _, a in ipairs(candidates) do
        local r = agent(a)
        if r and offers(r) and free_of(r) > 0 and serves(r, q) then
            if fits == nil then return r end
            local fit = fits(r)
            if fit then return r end
            if fit == nil then return nil end
        elseif r and r.deadline <= NOW and r.status ~= 'offline' then
            lapse(r)
        elseif r then
            refresh(r)
            if not serves(r, q) then redis.call('ZREM', qfree(q), a) end
        else
            redis.call('ZREM', qfree(q), a)
        end
    end
    return nil
end

-- Free slots in the queue, counted up to `limit`: enough to decide whether any lie outside the reserve.
local function free_slots(q, limit)
    local sum = 0
    local members = redis.call('ZREVRANGEBYSCORE', qfree(q), '+inf', 1, 'LIMIT', 0, limit + SWEEP_LIMIT)
    for _, a in ipairs(members) do
        local r = agent(a)
        if r and offers(r) then
            sum = sum + math.max(0, free_of(r))
            if sum >= limit then return sum end
        end
    end
    return sum
end

-- Whether an invitation for `q` may take one slot of this agent: afterwards every other queue it serves
-- still has its reserve free, so one queue's invitations never eat another's reserve (`q`'s own reserve
-- is the caller's check). `known` remembers each queue's free slots for the call.
local function leaves_reserves(r, q, reserve, known)
    for _, x in ipairs(r.queueList) do
        local kept = tonumber(reserve[x] or '0')
        if x ~= q and kept > 0 then
            if known[x] == nil then known[x] = free_slots(x, kept + 1) end
            if known[x] <= kept then return false end
        end
    end
    return true
end

-- The agent an invitation for `q` may take a slot of: none while `q`'s free slots are all its reserve, and
-- never one whose slot another of its queues keeps in reserve.
-- The reserves are read only once there is a candidate: a full queue's poll does not pay for them.
local function invitable_agent(q)
    local reserve, known = nil, {}
    return best_agent(q, function(c)
        if reserve == nil then
            reserve = hash(K.reserve) or {}
            local kept = tonumber(reserve[q] or '0')
            if kept > 0 and free_slots(q, kept + 1) <= kept then reserve = false end
        end
        if reserve == false then return nil end
        return leaves_reserves(c, q, reserve, known)
    end)
end

-- Expiry. Every due hold goes at once, however many: a hold past its deadline must never count, and
-- there are never more holds than the site's slots. Lapsed heartbeats, due orphans and waits run out
-- SWEEP_LIMIT per call (decisions check those deadlines themselves; the background sweeper finishes
-- them). A set is read only once its bound in `K.due` has come (see `schedule`), and gets its exact bound back;
-- a site without the bounds sweeps every set and gets them. Returns true when some of those are left for a later
-- call. Numbers cost Redis time as text: the check sends NOW once and reads no score back.
local function sweep()
    local known = false
    DUE = {}
    for _, key in ipairs(redis.call('ZRANGEBYSCORE', K.due, '-inf', NOW_TEXT)) do
        if key == '~' then known = true else DUE[key] = true end
    end
    if not known then
        DUE = { [K.holds] = true, [K.presence] = true, [K.orphans] = true, [K.waitdue] = true }
        redis.call('ZADD', K.due, '-inf', '~')
    end
    local function due(key) return DUE[key] == true end
    local function rebound(key)
        local first = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
        redis.call('ZADD', K.due, first[2] or '+inf', key)
        DUE[key] = nil
    end
    if due(K.holds) then
        while true do
            local expired = redis.call('ZRANGEBYSCORE', K.holds, '-inf', NOW_TEXT, 'LIMIT', '0', '100')
            for _, id in ipairs(expired) do
                local q = release_hold(id, 'expired')
                if q then count(C.expired, q) end
            end
            if #expired < 100 then break end
        end
        rebound(K.holds)
    end
    local lapsed, orphans, waits = {}, {}, {}
    if due(K.presence) then
        lapsed = redis.call('ZRANGEBYSCORE', K.presence, '-inf', NOW_TEXT, 'LIMIT', '0', SWEEP_LIMIT_TEXT)
        for _, a in ipairs(lapsed) do
            local r = agent(a)
            if r then lapse(r) else redis.call('ZREM', K.presence, a) end
        end
        rebound(K.presence)
    end
    if due(K.orphans) then
        orphans = redis.call('ZRANGEBYSCORE', K.orphans, '-inf', NOW_TEXT, 'LIMIT', '0', SWEEP_LIMIT_TEXT)
        for _, a in ipairs(orphans) do orphan_chats(a) end
        rebound(K.orphans)
    end
    if due(K.waitdue) then
        waits = redis.call('ZRANGEBYSCORE', K.waitdue, '-inf', NOW_TEXT, 'LIMIT', '0', SWEEP_LIMIT_TEXT)
        local thinned = {}
        for _, chat in ipairs(waits) do
            local c = hash(ckey(chat))
            if c and c.state == 'waiting' then
                abandon(chat, c.queue)
                thinned[c.queue] = true
            else
                redis.call('ZREM', K.waitdue, chat)
            end
        end
        -- A line whose heads ran out may have stopped a serve short: whoever has a free slot takes the rest.
        for q in pairs(thinned) do
            for _ = 1, SWEEP_LIMIT do
                if redis.call('ZCARD', qwait(q)) == 0 then break end
                local r = best_agent(q)
                if r == nil then break end
                serve(r)
            end
        end
        rebound(K.waitdue)
    end
    return #lapsed == SWEEP_LIMIT or #orphans == SWEEP_LIMIT or #waits == SWEEP_LIMIT
end

local function waiting_score(class, priority)
    local seq = redis.call('INCR', K.seq)
    return class * 1e13 + (9 - priority) * 1e12 + seq
end

-- Business hours of a queue on Redis's clock: true when open; false and the next opening (nil past the
-- compiled horizon) when closed; nil when the compiled instants ran out and must be compiled again.
local function open_hours(q)
    local horizon = tonumber(SETTINGS.hoursUntil)
    if horizon == nil then return true end
    if NOW >= horizon then return nil end
    local key = K.hoursQueue .. q
    if redis.call('EXISTS', key) == 0 then key = K.hoursSite end
    local last = redis.call('ZREVRANGEBYSCORE', key, NOW, '-inf', 'LIMIT', 0, 1)
    if #last > 0 and string.sub(last[1], 1, 1) == 'o' then return true end
    local nextOpen = redis.call('ZRANGEBYSCORE', key, '(' .. NOW, '+inf', 'LIMIT', 0, 1)
    if #nextOpen > 0 then return false, tonumber(string.sub(nextOpen[1], 3)) end
    return false, nil
end

-- A refusal the visitor is told about in words: a result rather than an error reply, so that it carries what
-- rendering the visitor's message needs.
local function refused(code, opensAt)
    return cjson.encode({ refused = code, opensAt = opensAt, cannedVersion = tonumber(SETTINGS.cannedVersion or '0'),
        timeZone = SETTINGS.timeZone })
end

-- Per queue, what the wait estimate is made of: decaying averages of handle time and of the time from
-- assignment to the agent's first response, each with its sample count.
local function qstats(q) return K.queue .. q .. ':stats' end
local function learn(q, field, sampleMs, weight)
    local n = redis.call('HINCRBY', qstats(q), field .. 'N', 1)
    local avg = tonumber(redis.call('HGET', qstats(q), field .. 'Ms') or sampleMs)
    -- Early samples count equally (1/n) until the decay weight takes over.
    avg = avg + math.max(weight, 1 / n) * (sampleMs - avg)
    redis.call('HSET', qstats(q), field .. 'Ms', string.format('%.3f', avg))
end
local function estimate_inputs(q)
    local stats = hash(qstats(q)) or {}
    return { slots = serving_slots(q), handleMs = tonumber(stats.handleMs) or setting('averageHandleSeconds') * 1000,
             firstResponseMs = tonumber(stats.firstMs) or 0 }
end

-- The chat as the scripts report it. `shown`: the visitor sees this answer, so the first response's kind is
-- remembered and `firstResponseChanged` says whether it differs from the one the visitor saw before.
local function chat_view(id, shown)
    local c = hash(ckey(id))
    if c == nil then return nil end
    local view = { id = id, queue = c.queue, state = c.state, source = c.source, visitor = c.visitor }
    if c.agent then view.agent = c.agent end
    if c.name then view.name = c.name end
    if c.locale then view.locale = c.locale end
    view.createdAt = tonumber(c.createdAt)
    if c.firstResponseAt then view.firstResponseAt = tonumber(c.firstResponseAt) end
    local kind = 'unavailable'
    if c.state == 'assigned' then kind = 'greeting' end
    if c.state == 'waiting' then
        view.position = redis.call('ZRANK', qwait(c.queue), id) + 1
        view.estimate = estimate_inputs(c.queue)
        -- With nobody serving the queue there is no honest estimate: the visitor keeps its place, but is told.
        if view.estimate.slots > 0 then kind = 'queued' end
    end
    view.firstResponseKind = kind
    view.firstResponseChanged = false
    if shown and c.shownKind ~= kind then
        redis.call('HSET', ckey(id), 'shownKind', kind)
        view.firstResponseChanged = true
    end
    view.cannedVersion = tonumber(SETTINGS.cannedVersion or '0')
    return view
end

-- Puts a chat in its queue's line and remembers the estimate it was given there, to be compared with the
-- wait it actually has once an agent first answers.
local function enqueue(chat, q, score)
    redis.call('ZADD', qwait(q), score, chat)
    redis.call('SADD', K.lines, q)
    schedule(K.waitdue, NOW + setting('maxWaitSeconds') * 1000, chat)
    redis.call('HSET', ckey(chat), 'state', 'waiting')
    total('waiting', 1)
    local view = chat_view(chat, true)
    if view.estimate.slots > 0 then
        redis.call('HSET', ckey(chat), 'estPosition', view.position, 'estSlots', view.estimate.slots,
            'estHandleMs', view.estimate.handleMs, 'estFirstMs', view.estimate.firstResponseMs)
    end
    return view
end

-- A new chat, the visitor's one open chat from now on, counted as started by `source`: assigned to the agent `r` when
-- one is given, otherwise in its queue's line, escalations before the rest, then by priority, then first come.
-- Returns the chat's view. The accept and the chat request scripts both start chats here.
local function start_chat(chat, v, q, source, priority, name, locale, r)
    local address = caller_address()
    redis.call('HSET', ckey(chat), 'visitor', v, 'queue', q, 'source', source, 'priority', priority,
        'state', 'new', 'createdAt', NOW)
    if name ~= '' then redis.call('HSET', ckey(chat), 'name', name) end
    if locale ~= '' then redis.call('HSET', ckey(chat), 'locale', locale) end
    if address then redis.call('HSET', ckey(chat), 'address', address) end
    tally('open', address, 1)
    redis.call('SET', vchat(v), chat)
    count(C.startedBy .. source, q)
    if r then
        assign(chat, r)
        return chat_view(chat, true)
    end
    local class = 2
    if source == 'escalation' then class = 1 end
    return enqueue(chat, q, waiting_score(class, priority))
end

do
    local denied = authorize()
    if denied then return fail(denied) end
end
