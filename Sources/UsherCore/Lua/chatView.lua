-- Reads one chat as its visitor sees it, with a fresh position in line. Sweeps first, so a chat that a freed slot
-- would have reached is shown as assigned. A visitor's read remembers the first response's kind it was shown.
--
-- Keys: the chat, its queue's waiting line, and what the sweep touches.
-- ARGV (after the prelude's, see prelude.lua; Swift: ChatViewArguments):
--   [13] chat     the chat id
--   [14] visitor  the visitor reading ("" for agent and ops callers, who may read any chat of the site)
-- Result: the chat view.
-- Refusals: not_found, rate_limited <ms>.

local chat, v = ARGV[13], ARGV[14]
local limited = throttle()
if limited then return limited end
sweep()
-- Another visitor's chat does not exist to this one, and reading it changes nothing.
if v ~= '' and redis.call('HGET', ckey(chat), 'visitor') ~= v then return fail('not_found') end
local view = chat_view(chat, v ~= '')
if view == nil then return fail('not_found') end
return cjson.encode(view)
