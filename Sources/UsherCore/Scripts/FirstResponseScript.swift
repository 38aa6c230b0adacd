/// Records the agent's first response in a chat, once, and learns from it: the queue's time from assignment to first
/// response, and, for a chat that waited, how far the estimate it was given missed the wait it actually had (from
/// its request to this answer). Keys: the chat, the queue's estimate statistics and its list of estimate samples.
/// ARGV[6..]: chat id, the decay weight of a new sample, how many estimate samples a queue keeps. An agent may touch
/// only its own chats; to it, others do not exist.
/// Result: `{firstResponseAt}`, or the refusal `not_found`, `conflict` (the chat is not assigned).
enum FirstResponseScript {
    static let source =
        Prelude.source + #"""
            local chat, weight, keep = ARGV[6], tonumber(ARGV[7]), tonumber(ARGV[8])
            local c = hash(ckey(chat))
            if c == nil then return fail('not_found') end
            if CALLER_ROLE == 'agent' and c.agent ~= CALLER_AGENT then return fail('not_found') end
            if c.state ~= 'assigned' then return fail('conflict') end
            if c.firstResponseAt == nil then
                redis.call('HSET', ckey(chat), 'firstResponseAt', NOW)
                c.firstResponseAt = NOW
                learn(c.queue, 'first', NOW - tonumber(c.assignedAt), weight)
                if c.estSlots then
                    -- actual wait, then the estimate's inputs: the estimate itself is computed where it was shown.
                    local estimates = P .. 'q:' .. c.queue .. ':estimates'
                    redis.call('LPUSH', estimates, table.concat({ NOW - tonumber(c.createdAt), c.estPosition, c.estSlots,
                        c.estHandleMs, c.estFirstMs }, ','))
                    redis.call('LTRIM', estimates, 0, keep - 1)
                end
            end
            return cjson.encode({ firstResponseAt = tonumber(c.firstResponseAt) })
            """#
}
