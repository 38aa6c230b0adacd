/// The visitor cancels its chat: a waiting chat leaves the line as `abandoned`. Idempotent: cancelling a chat that is
/// over changes nothing; an assigned chat is the agent's to end (`conflict`).
///
/// Keys: the chat, its queue's waiting line, the visitor's chat pointer, totals, counters, the rate limits.
/// ARGV[13..]: chat id, visitor. Another visitor's chat does not exist to this one.
/// Result: `{state}`, or the refusal `not_found`, `conflict`, `rate_limited <ms>`.
enum ChatCancelScript {
    static let source =
        Prelude.source + #"""
            local chat, v = ARGV[13], ARGV[14]
            local limited = throttle()
            if limited then return limited end
            sweep()
            local c = hash(ckey(chat))
            if c == nil or c.visitor ~= v then return fail('not_found') end
            if c.state == 'assigned' then return fail('conflict') end
            if c.state == 'waiting' then abandon(chat, c.queue) end
            return cjson.encode({ state = redis.call('HGET', ckey(chat), 'state') })
            """#
}
