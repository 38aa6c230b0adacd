-- The capacity view of a site, per site and per queue, read in one script so every number is of the same instant.
--
-- Agents count as `available` while they offer slots, `away` or `draining` while their heartbeat is live,
-- `offline` otherwise. Slots: `total` and `free` over available agents; `chats` and `held` over all agents.
-- Per queue also the wait estimate's inputs and its recorded samples (see `WaitEstimateReply`).
-- Keys: the agents' sums (the site's and each queue's), the index of agents by id, the hashes of agents past their
-- heartbeat but not yet swept (at most correctedAgents) and of those listed, the queues' waiting lines, statistics and
-- estimate samples, counters (and what the sweep touches); for a sample also the per-queue counters, the sampling
-- lease, the minute's history and the fold's state, and up to foldMinutes finished minutes with their blocks. It
-- reads O(queues + listed agents + correctedAgents + foldMinutes) keys, whatever the number of agents.
-- ARGV (after the prelude's, see prelude.lua; Swift: CapacityArguments):
--   [13] leaseMilliseconds  0 for a plain read; for a sample (see `Broker.sample`) how long its lease on the history
--                           lasts (ms)
--   [14] listedAgents       how many agents to list by name
--   [15] agentsAfter        list those whose id comes after this one ("" from the first), for the next page
--   [16] correctedAgents    how many agents past their heartbeat but not yet swept to count as they are now, at most
--   [17] foldMinutes        for a sample: how many finished minutes of history to fold into their blocks, at most
-- Result: `{agents, slots, waiting, queues: {name: {agents, slots, waiting, estimate}}, agentLoad: [{agent, status,
-- maxChats, chats, held}] (in id order, after agentsAfter), counters}`; a sample adds `queueCounters` (`<queue>|<counter>` -> count),
-- `historyMinuteBytes` (the last full minute's history) and `sampledAt` (Redis's clock, ms), which orders samples
-- read by several samplers at once.

sweep()
local known = all_queues()
if not redis.call('HGET', K.agg, '~') then agg_rebuild(known) end
-- The agents' sums (see `contribution` in prelude.lua): one hash for the site and one per queue, whatever the
-- number of agents.
local function view_of(key)
    local sums = hash(key) or {}
    local function n(field) return tonumber(sums[field]) or 0 end
    return { agents = { available = n('available'), away = n('away'), draining = n('draining'), offline = n('offline') },
             slots = { total = n('total'), chats = n('chats'), held = n('held'), free = n('free') }, waiting = 0 }
end
local site = view_of(K.agg)
local queues = {}
local anyQueue = false
for _, q in ipairs(known) do
    queues[q] = view_of(qagg(q))
    queues[q].waiting = redis.call('ZCARD', qwait(q))
    site.waiting = site.waiting + queues[q].waiting
    anyQueue = true
end
-- An agent whose heartbeat passed but whom no sweep has lapsed yet (more fell due than one sweep takes) counts as it
-- is now, not as it last added to the sums: up to [16] of them, so that a backlog bounds what this read costs; the
-- rest count as they last added until the sweeper reaches them.
local function move(c, sign)
    if c == nil then return end
    local views = { site }
    for _, q in ipairs(c.queueList) do views[#views + 1] = queues[q] end
    for _, view in ipairs(views) do
        view.agents[c.bucket] = view.agents[c.bucket] + sign
        for _, field in ipairs(AGG_SLOTS) do view.slots[field] = view.slots[field] + sign * c[field] end
    end
end
for _, a in ipairs(redis.call('ZRANGEBYSCORE', K.presence, '-inf', NOW, 'LIMIT', 0, ARGV[16])) do
    local r = agent(a)
    if r and r.agg and r.agg ~= contribution(r) then
        move(parse_contribution(r.agg), -1)
        move(parse_contribution(contribution(r)), 1)
    end
end
-- A page of agents by id, read from the index: the others are not read at all.
local listLimit = tonumber(ARGV[14])
local load = {}
if listLimit > 0 then
    local first = ARGV[15] == '' and '-' or '(' .. ARGV[15]
    for _, a in ipairs(redis.call('ZRANGEBYLEX', K.agentIds, first, '+', 'LIMIT', 0, listLimit)) do
        local r = agent(a)
        if r then
            load[#load + 1] = { agent = a, status = bucket_of(r), maxChats = r.maxChats, chats = r.chats, held = r.held }
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
-- Folds finished minutes of history into their block's hash (`K.block .. block`, S.historyBlockMinutes minutes: the
-- same fields, summed, and `#`, how many of its minutes held data), so that a long period reads a block where it
-- would read its minutes. A minute is finished once Redis's clock has left it: nothing writes it after.
-- `K.historyFold` says which minutes are folded, `since` to `through`; a reader takes a block only when all its
-- minutes are. The first fold (or one after folding stopped for longer than the history is kept) starts at the
-- current minute.
-- Each minute is marked folded as soon as it is added, so that a script that fails later adds no minute twice.
local function fold(limit)
    local last = math.floor(NOW / 60000) - 1
    local through = tonumber(redis.call('HGET', K.historyFold, 'through'))
    if through == nil or through < math.floor((NOW - HISTORY_MS) / 60000) then
        redis.call('HSET', K.historyFold, 'since', last + 1, 'through', last)
        return
    end
    local folded = 0
    while through < last and folded < limit do
        through = through + 1
        folded = folded + 1
        local fields = redis.call('HGETALL', K.minute .. through)
        if #fields > 0 then
            local block = math.floor(through / S.historyBlockMinutes)
            local key = K.block .. block
            for i = 1, #fields, 2 do
                -- Every field of a minute is a count; one that is not was written by hand, and counts nothing
                -- rather than fail this fold and every later one.
                local count = string.match(fields[i + 1], '^%-?%d+$') and fields[i + 1] or '0'
                redis.call('HINCRBY', key, fields[i], count)
            end
            redis.call('HINCRBY', key, '#', 1)
            redis.call('PEXPIREAT', key, (block + 1) * S.historyBlockMinutes * 60000 + HISTORY_MS)
        end
        redis.call('HSET', K.historyFold, 'through', through)
    end
end
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
    -- Every sample folds, not only the lease's: folding goes on whichever instances sample, whatever their version.
    if HISTORY_MS > 0 then fold(tonumber(ARGV[17])) end
    local previous = K.minute .. (math.floor(NOW / 60000) - 1)
    site.historyMinuteBytes = redis.call('MEMORY', 'USAGE', previous) or 0
    site.sampledAt = NOW
end
return cjson.encode(site)
