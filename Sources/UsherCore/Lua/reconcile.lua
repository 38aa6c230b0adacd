-- Rebuilds the capacity counters from the primary records and reports every difference; with repair on, also
-- writes the rebuilt values. The primary records are the agents' chat and hold sets, the invitations, chats and
-- the waiting lines; the counters are the agents' `chats`/`held` fields, the site totals, the queues' free sets and
-- serving slots, the per-address tallies, the capacity view's sums and its index of agents (both rebuilt whole on
-- repair). Then checks invariants 1-3 of PRODUCT.md on the records themselves: no agent holds more than
-- `maxChats` (chats beyond a lowered limit are allowed, holds beyond it are not), every hold
-- and chat is its agent's and in a queue the agent serves (holds) or is assigned to it (chats), every waiting entry
-- is a waiting chat, and nothing is more than the given tolerance past its deadline.
--
-- Keys: every agent's hash and sets, invitations, chats, the queues' free sets and waiting lines, totals.
-- ARGV (after the prelude's, see prelude.lua; Swift: ReconcileArguments):
--   [13] repair                 "1" to repair, "0" to only report
--   [14] toleranceMilliseconds  how far past a deadline is not yet a violation (ms)
-- Result: `{drift: n, differences: [{what, stored, actual}], violations: [text]}` (lists absent when empty).

local repair = ARGV[13] == '1'
local toleranceMs = tonumber(ARGV[14])
local differences = {}
local violations = {}
local function check(what, stored, actual, fix)
    stored = tonumber(stored) or 0
    if stored ~= actual then
        differences[#differences + 1] = { what = what, stored = stored, actual = actual }
        if repair then fix() end
    end
end
local function violation(text) violations[#violations + 1] = text end
local function late(deadline) return deadline ~= nil and deadline + toleranceMs < NOW end

local sums = { chats = 0, held = 0, waiting = 0 }
-- The capacity view's sums (see `contribution` in prelude.lua), from every agent as it is now: per key, per field.
local aggSums = {}
-- What each client address's visitors hold, from the records, for the per-address caps' tallies.
local byAddress = { held = {}, open = {} }
local function owes(kind, address)
    if address then byAddress[kind][address] = (byAddress[kind][address] or 0) + 1 end
end
-- Agents whose heartbeat passed but whom no sweep has lapsed yet: their lapse, still to come, takes them out of the
-- free sets and moves the sums, so until then they are checked as they were (reconcile sees every agent, so all).
local lapsing = {}
for _, a in ipairs(redis.call('ZRANGEBYSCORE', K.presence, '-inf', NOW)) do lapsing[a] = true end
for _, a in ipairs(redis.call('SMEMBERS', K.agents)) do
    local r = agent(a)
    if r then
        local chatIds = redis.call('SMEMBERS', akey(a) .. ':chats')
        local holdIds = redis.call('SMEMBERS', akey(a) .. ':holds')
        local chats, held = #chatIds, #holdIds
        sums.chats = sums.chats + chats
        sums.held = sums.held + held
        check('agent ' .. a .. ' chats', r.chats, chats, function() redis.call('HSET', akey(a), 'chats', chats) end)
        check('agent ' .. a .. ' held', r.held, held, function() redis.call('HSET', akey(a), 'held', held) end)
        r.chats, r.held = chats, held
        local added = lapsing[a] and parse_contribution(r.agg)
        share(added or parse_contribution(contribution(r)), 1, aggSums)
        -- Over the limit only as far as a lowered limit left it, and then with no hold on top.
        local allowed = math.max(r.maxChats, tonumber(r.overLimit) or 0)
        if chats + held > allowed or (held > 0 and chats + held > r.maxChats) then
            violation('agent ' .. a .. ' has ' .. chats .. ' chats and ' .. held .. ' holds, over maxChats ' .. r.maxChats)
        end
        for _, id in ipairs(holdIds) do
            local inv = hash(ikey(id))
            if inv == nil or inv.state ~= 'held' or inv.agent ~= a then
                violation('agent ' .. a .. ' holds ' .. id .. ', which is not a hold of its')
            else
                owes('held', inv.address)
                if not serves(r, inv.queue) then
                    violation('agent ' .. a .. ' holds ' .. id .. ' for queue ' .. inv.queue .. ', which it does not serve')
                end
                if r.status ~= 'available' then
                    violation('agent ' .. a .. ' is ' .. (r.status or 'unknown') .. ' and still holds ' .. id)
                end
                if late(tonumber(inv.expiresAt)) then violation('hold ' .. id .. ' is past its deadline') end
            end
        end
        for _, id in ipairs(chatIds) do
            local c = hash(ckey(id))
            if c == nil or c.state ~= 'assigned' or c.agent ~= a then
                violation('agent ' .. a .. ' has chat ' .. id .. ', which is not assigned to it')
            else
                owes('open', c.address)
            end
        end
        if chats > 0 and r.deadline <= NOW then
            local due = tonumber(redis.call('ZSCORE', K.orphans, a) or '')
            if due == nil and r.status ~= 'offline' and late(r.deadline + setting('orphanGraceSeconds') * 1000) then
                violation('agent ' .. a .. ' lapsed with chats that are never orphaned')
            elseif due == nil and r.status == 'offline' then
                violation('agent ' .. a .. ' went offline with chats that are never orphaned')
            elseif late(due) then
                violation('the chats of agent ' .. a .. ' are past their grace period')
            end
        end
        local offering = offers(r) or (lapsing[a] and r.status == 'available')
        for _, q in ipairs(r.queueList) do
            local expected = 0
            if offering and free_of(r) > 0 then expected = free_of(r) end
            check('queue ' .. q .. ' free slots of ' .. a, redis.call('ZSCORE', qfree(q), a), expected,
                function() refresh(r) end)
            check('queue ' .. q .. ' serving slots of ' .. a, redis.call('ZSCORE', qserving(q), a),
                offering and r.maxChats or 0, function() refresh(r) end)
        end
    end
end
for _, q in ipairs(all_queues()) do
    local line = redis.call('ZRANGE', qwait(q), 0, -1)
    sums.waiting = sums.waiting + #line
    for _, id in ipairs(line) do
        local c = hash(ckey(id))
        if c == nil or c.state ~= 'waiting' or c.queue ~= q then
            violation('queue ' .. q .. ' has ' .. id .. ' in line, which is not a chat waiting there')
        else
            owes('open', c.address)
        end
        if c and late(tonumber(redis.call('ZSCORE', K.waitdue, id) or '')) then
            violation('chat ' .. id .. ' waits past maxWaitSeconds')
        end
    end
    local slots = 0
    local members = redis.call('ZRANGE', qserving(q), 0, -1, 'WITHSCORES')
    for i = 2, #members, 2 do slots = slots + tonumber(members[i]) end
    check('queue ' .. q .. ' serving slots', redis.call('HGET', K.serving, q), slots,
        function() redis.call('HSET', K.serving, q, slots) end)
end
for kind, actual in pairs(byAddress) do
    local key = K.address .. kind
    local stored = hash(key) or {}
    for address in pairs(stored) do actual[address] = actual[address] or 0 end
    for address, n in pairs(actual) do
        check('address ' .. address .. ' ' .. kind, stored[address], n, function()
            if n > 0 then redis.call('HSET', key, address, n) else redis.call('HDEL', key, address) end
        end)
    end
end
-- A site whose sums predate them has none to check: its first capacity view builds them, and the index of agents.
if redis.call('HGET', K.agg, '~') then
    local agents = redis.call('SCARD', K.agents)
    local indexed = redis.call('ZCARD', K.agentIds)
    check('agents in the index by id', indexed, agents, function() end)
    local drifted = indexed ~= agents
    local keys = { K.agg }
    for _, q in ipairs(all_queues()) do keys[#keys + 1] = qagg(q) end
    for _, key in ipairs(keys) do
        local stored, actual = hash(key) or {}, aggSums[key] or {}
        for _, field in ipairs({ 'available', 'away', 'draining', 'offline', 'chats', 'held', 'total', 'free' }) do
            local before = #differences
            check('capacity sum ' .. string.sub(key, #P + 1) .. ' ' .. field, stored[field], actual[field] or 0, function() end)
            drifted = drifted or #differences > before
        end
    end
    if drifted and repair then agg_rebuild(all_queues()) end
end
local totals = hash(K.totals) or {}
for _, field in ipairs({ 'chats', 'held', 'waiting' }) do
    check('site ' .. field, totals[field], sums[field],
        function() redis.call('HSET', K.totals, field, sums[field]) end)
end
local out = { drift = #differences }
if #differences > 0 then out.differences = differences end
if #violations > 0 then out.violations = violations end
return cjson.encode(out)
