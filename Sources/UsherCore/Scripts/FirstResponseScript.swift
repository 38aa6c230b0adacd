/// Records the agent's first response in a chat, once. Keys: the chat.
/// ARGV[6..]: chat id. An agent may touch only its own chats; to it, others do not exist.
/// Result: `{firstResponseAt}`, or the refusal `not_found`, `conflict` (the chat is not assigned).
enum FirstResponseScript {
    static let source =
        Prelude.source + #"""
            local chat = ARGV[6]
            local c = hash(ckey(chat))
            if c == nil then return fail('not_found') end
            if CALLER_ROLE == 'agent' and c.agent ~= CALLER_AGENT then return fail('not_found') end
            if c.state ~= 'assigned' then return fail('conflict') end
            if c.firstResponseAt == nil then
                redis.call('HSET', ckey(chat), 'firstResponseAt', NOW)
                c.firstResponseAt = NOW
            end
            return cjson.encode({ firstResponseAt = tonumber(c.firstResponseAt) })
            """#
}
