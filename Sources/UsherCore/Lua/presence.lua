-- Presence and heartbeat of one agent.
--
-- Guarantees: a request from a superseded session changes nothing (`superseded`), and a superseded session never
-- takes over again (the agent remembers the last MAX_RETIRED of them); lowering `maxChats` drops no chat and
-- releases at once the holds beyond the new limit; an agent that stops being available releases its holds at once,
-- and one that drops a queue its holds for that queue; going offline with chats open closes them as orphaned after
-- `orphanGraceSeconds` unless the agent returns first; one that becomes available (or gains slots) serves the
-- waiting line in the same call. A site has at most MAX_AGENTS agents and MAX_QUEUES queues.
-- Keys: the agent's hash, chat and hold sets and retired sessions, the presence and orphan sets, the agent and
-- queue sets, its queues' free sets and waiting lines, holds, totals.
-- ARGV (after the prelude's, see prelude.lua; Swift: PresenceArguments):
--   [13] agent     the agent
--   [14] status    `available` | `away` | `draining` | `offline`
--   [15] maxChats  the most chats it takes at once
--   [16] queues    the queues it serves, comma-separated
--   [17] session   the session reporting
-- Result: `{status, maxChats, queues, activeChats, expiresAt}`.
-- Refusals: superseded, too_many_agents, too_many_queues.

local a, status, maxChats, queues, session = ARGV[13], ARGV[14], tonumber(ARGV[15]), ARGV[16], ARGV[17]
local r = agent(a)
local retired = akey(a) .. ':superseded'
if r and r.session ~= session and redis.call('ZSCORE', retired, session) then return fail('superseded') end
if r == nil and redis.call('SCARD', K.agents) >= MAX_AGENTS then return fail('too_many_agents') end
local wanted = split(queues)
do
    -- The cap counts every queue the site knows: `default`, configured ones and agent-served ones.
    local known, added = all_queues(), 0
    local seen = {}
    for _, q in ipairs(known) do seen[q] = true end
    for _, q in ipairs(wanted) do
        if not seen[q] then added = added + 1 end
    end
    if added > 0 and #known + added > MAX_QUEUES then return fail('too_many_queues') end
end

sweep()
r = agent(a)
if r and r.session and r.session ~= session then
    redis.call('ZADD', retired, NOW, r.session)
    redis.call('ZREMRANGEBYRANK', retired, 0, -(MAX_RETIRED + 1))
end
if r == nil then
    redis.call('SADD', K.agents, a)
    redis.call('ZADD', K.agentIds, 0, a)
    r = { id = a, chats = 0, held = 0, queueList = {}, deadline = 0 }
    redis.call('HSET', akey(a), 'chats', 0, 'held', 0)
end
-- Chats whose grace ran out before this call are orphaned, not handed back.
local orphanDue = redis.call('ZSCORE', K.orphans, a)
if orphanDue and tonumber(orphanDue) <= NOW then
    orphan_chats(a)
    r.chats = tonumber(redis.call('HGET', akey(a), 'chats'))
end
-- Leave the free sets of queues the agent no longer serves.
local keep = {}
for _, q in ipairs(wanted) do keep[q] = true end
for _, q in ipairs(r.queueList) do
    if not keep[q] then
        redis.call('ZREM', qfree(q), a)
        set_serving(q, a, 0)
    end
end
local deadline = NOW + setting('heartbeatSeconds') * 1000
if status == 'offline' then deadline = 0 end
redis.call('HSET', akey(a), 'status', status, 'maxChats', maxChats, 'queues', queues, 'session', session,
    'deadline', deadline)
for _, q in ipairs(wanted) do redis.call('SADD', K.queues, q) end
if status == 'offline' then
    redis.call('ZREM', K.presence, a)
else
    schedule(K.presence, deadline, a)
end
-- Holds the agent can no longer keep: all of them unless available, those of dropped queues, and those
-- beyond a lowered limit (a hold never becomes a chat that would put the agent over it).
local holds = redis.call('SMEMBERS', akey(a) .. ':holds')
local kept = {}
for _, id in ipairs(holds) do
    if status ~= 'available' or not keep[redis.call('HGET', ikey(id), 'queue') or ''] then
        release_hold(id, 'released')
    else
        kept[#kept + 1] = { id = id, at = tonumber(redis.call('ZSCORE', K.holds, id) or '0') }
    end
end
-- The newest holds go first: the visitors invited longest ago keep theirs.
table.sort(kept, function(x, y) return x.at < y.at or (x.at == y.at and x.id < y.id) end)
local over = tonumber(redis.call('HGET', akey(a), 'chats')) + #kept - maxChats
for i = #kept, 1, -1 do
    if over <= 0 then break end
    release_hold(kept[i].id, 'released')
    over = over - 1
end
-- Chats beyond a lowered limit stay: reconcile allows the agent that many until it is under again.
local chats = tonumber(redis.call('HGET', akey(a), 'chats'))
if chats > maxChats then
    redis.call('HSET', akey(a), 'overLimit', chats)
else
    redis.call('HDEL', akey(a), 'overLimit')
end
r = agent(a)
if status == 'offline' and r.chats > 0 then
    -- NX: repeating offline does not push the grace period out.
    schedule(K.orphans, NOW + setting('orphanGraceSeconds') * 1000, a, 'NX')
else
    redis.call('ZREM', K.orphans, a)
end
refresh(r)
serve(r)
local out = { status = status, maxChats = maxChats, activeChats = r.chats, expiresAt = deadline }
if #r.queueList > 0 then out.queues = r.queueList end
return cjson.encode(out)
