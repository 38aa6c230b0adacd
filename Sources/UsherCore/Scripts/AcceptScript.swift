/// Accepting an invitation turns its hold into a chat on the same agent; if that agent stopped offering slots
/// meanwhile, onto another free agent, or to the front of the waiting line.
///
/// Guarantees: only the invited visitor may accept; an expired hold is `gone` (and starts the cooldown); accepting
/// twice returns the same chat. Keys: the invitation, the chat, the agents involved, holds, the queue's free set and
/// waiting line, totals, counters.
/// ARGV[7..]: invitation id, visitor, a fresh chat id, visitor name ("" if none), locale ("" if none).
/// Result: the chat view, or the refusal `not_found`, `gone`.
enum AcceptScript {
    static let source =
        Prelude.source + #"""
            sweep()
            local id, v, chat, name, locale = ARGV[7], ARGV[8], ARGV[9], ARGV[10], ARGV[11]
            local inv = hash(ikey(id))
            if inv == nil or inv.visitor ~= v then return fail('not_found') end
            if inv.state == 'accepted' then return cjson.encode(chat_view(inv.chat, true)) end
            if inv.state == 'held' and tonumber(inv.expiresAt) <= NOW then
                release_hold(id, 'expired')
                count('expired', inv.queue)
                return fail('gone')
            end
            if inv.state ~= 'held' and inv.state ~= 'released' then return fail('gone') end

            local q = inv.queue
            redis.call('HSET', ckey(chat), 'visitor', v, 'queue', q, 'source', 'invitation', 'state', 'new', 'createdAt', NOW,
                'priority', 0)
            if name ~= '' then redis.call('HSET', ckey(chat), 'name', name) end
            if locale ~= '' then redis.call('HSET', ckey(chat), 'locale', locale) end

            local r = nil
            if inv.state == 'held' then
                -- The hold becomes the chat: its slot moves from held to chats without ever being free.
                redis.call('ZREM', P .. 'holds', id)
                redis.call('SREM', akey(inv.agent) .. ':holds', id)
                redis.call('DEL', P .. 'visitor:' .. v .. ':inv')
                total('held', -1)
                r = agent(inv.agent)
                bump(r, 'held', -1)
                if not offers(r) then
                    refresh(r)
                    r = nil
                end
            end
            redis.call('HSET', ikey(id), 'state', 'accepted', 'chat', chat, 'resolvedAt', NOW)
            redis.call('PEXPIRE', ikey(id), RETENTION_MS)
            count('accepted', q)
            count('started:invitation', q)
            if r == nil then r = best_agent(q) end
            if r then
                assign(chat, r)
                return cjson.encode(chat_view(chat, true))
            end
            -- Its slot was lost through no fault of the visitor's: first in line.
            return cjson.encode(enqueue(chat, q, waiting_score(0, 9)))
            """#
}
