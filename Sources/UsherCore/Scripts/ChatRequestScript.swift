/// A reactive or escalation chat request: assigned at once when a slot is free (the queue's reserve is for exactly
/// this), otherwise queued — escalations before reactive requests, then higher priority, then first come.
///
/// Guarantees: nobody jumps a non-empty line; the line never holds more than `maxWaiting`. Keys: the chat, the
/// queue's free set and waiting line, the chosen agent, totals, counters.
/// ARGV[7..]: a fresh chat id, visitor, queue, source (`reactive` | `escalation`), priority (0-9), name, locale.
/// Outside the queue's business hours the request is refused with the next opening.
/// Result: the chat view, `{refused: "line_full" | "closed", …}` (see `refused` in the prelude), or the refusal
/// `hours_stale`.
enum ChatRequestScript {
    static let source =
        Prelude.source + #"""
            sweep()
            local chat, v, q, source, priority, name, locale = ARGV[7], ARGV[8], ARGV[9], ARGV[10], tonumber(ARGV[11]),
                ARGV[12], ARGV[13]
            local open, opensAt = open_hours(q)
            if open == nil then return fail('hours_stale') end
            if not open then
                count('refused', q)
                return refused('closed', opensAt)
            end
            local waiting = redis.call('ZCARD', qwait(q))
            local r = nil
            if waiting == 0 then r = best_agent(q) end
            if r == nil and waiting >= setting('maxWaiting') then
                count('refused', q)
                return refused('line_full')
            end
            redis.call('HSET', ckey(chat), 'visitor', v, 'queue', q, 'source', source, 'priority', priority, 'state', 'new',
                'createdAt', NOW)
            if name ~= '' then redis.call('HSET', ckey(chat), 'name', name) end
            if locale ~= '' then redis.call('HSET', ckey(chat), 'locale', locale) end
            redis.call('SADD', P .. 'queues', q)
            count('started:' .. source, q)
            if r then
                assign(chat, r)
                return cjson.encode(chat_view(chat, true))
            end
            local class = 2
            if source == 'escalation' then class = 1 end
            return cjson.encode(enqueue(chat, q, waiting_score(class, priority)))
            """#
}
