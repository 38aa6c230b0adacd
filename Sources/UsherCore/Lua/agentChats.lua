-- The chats assigned to one agent.
--
-- Keys: the agent's chat set and the chats (and what the sweep touches).
-- ARGV (after the prelude's, see prelude.lua; Swift: AgentChatsArguments):
--   [13] agent  the agent
-- Result: `{chats: [...]}` in creation order (the field is absent when there are none).

sweep()
local a = ARGV[13]
local out = {}
for _, chat in ipairs(redis.call('SMEMBERS', akey(a) .. ':chats')) do
    local view = chat_view(chat)
    if view then out[#out + 1] = view end
end
table.sort(out, function(x, y) return x.createdAt < y.createdAt end)
if #out == 0 then return cjson.encode({}) end
return cjson.encode({ chats = out })
