/// The chats assigned to one agent. Keys: the agent's chat set and the chats.
/// ARGV[13..]: agent.
/// Result: `{chats: [...]}` (the field is absent when there are none).
enum AgentChatsScript {
    static let source =
        Prelude.source + #"""
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
            """#
}
