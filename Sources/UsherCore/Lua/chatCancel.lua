-- The visitor cancels its chat: a waiting chat leaves the line as `abandoned`. Idempotent: cancelling a chat that is
-- over changes nothing; an assigned chat is the agent's to end (`conflict`). Another visitor's chat does not exist
-- to this one.
--
-- Keys: the chat, its queue's waiting line, the visitor's chat pointer, totals, counters, the rate limits.
-- ARGV (after the prelude's, see prelude.lua; Swift: ChatCancelArguments):
--   [13] chat     the chat id
--   [14] visitor  the visitor cancelling
-- Result: `{state}`.
-- Refusals: not_found, conflict, rate_limited <ms>.

local chat, v = ARGV[13], ARGV[14]
local limited = throttle()
if limited then return limited end
sweep()
local c = hash(ckey(chat))
if c == nil or c.visitor ~= v then return fail('not_found') end
if c.state == 'assigned' then return fail('conflict') end
if c.state == 'waiting' then abandon(chat, c.queue) end
return cjson.encode({ state = redis.call('HGET', ckey(chat), 'state') })
