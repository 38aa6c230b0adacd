-- Ending a chat frees its slot and serves the waiting line in the same call; ending a waiting chat takes it out of
-- line (as `abandoned`). Idempotent: ending an ended chat changes nothing. Learns the queue's handle time from every
-- chat that ends normally (orphaned chats say nothing about it).
--
-- Guarantees: an agent ends only its own chats; to it, others do not exist.
-- Keys: the chat, its agent's hash and chat set, the agent's queues' free sets and waiting lines, the queue's
-- statistics, totals, counters.
-- ARGV (after the prelude's, see prelude.lua; Swift: ChatEndArguments):
--   [13] chat          the chat id
--   [14] sampleWeight  the decay weight of a new handle-time sample
-- Result: `{state}`.
-- Refusals: not_found.

sweep()
local chat, weight = ARGV[13], tonumber(ARGV[14])
local c = hash(ckey(chat))
if c == nil then return fail('not_found') end
if CALLER_ROLE == 'agent' and c.agent ~= CALLER_AGENT then return fail('not_found') end
if c.state == 'assigned' then
    close_chat(chat, 'ended')
    redis.call('SREM', akey(c.agent) .. ':chats', chat)
    total('chats', -1)
    count(C.ended, c.queue)
    learn(c.queue, 'handle', NOW - tonumber(c.assignedAt), weight)
    local r = agent(c.agent)
    bump(r, 'chats', -1)
    refresh(r)
    serve(r)
elseif c.state == 'waiting' then
    abandon(chat, c.queue)
end
return cjson.encode({ state = redis.call('HGET', ckey(chat), 'state') })
