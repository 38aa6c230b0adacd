/// Rebuilds the capacity counters from the primary records and reports every difference; with repair on, also
/// writes the rebuilt values. The primary records are the agents' chat and hold sets and the waiting lines; the
/// counters are the agents' `chats`/`held` fields, the site totals, the queues' free sets and serving slots.
/// Keys: every agent's hash and sets, the queues' free sets and waiting lines, totals.
/// ARGV[7..]: "1" to repair, "0" to only report.
/// Result: `{drift: n, differences: [{what, stored, actual}]}` (the list is absent when there is none).
enum ReconcileScript {
    static let source =
        Prelude.source + #"""
            sweep()
            local repair = ARGV[7] == '1'
            local differences = {}
            local function check(what, stored, actual, fix)
                stored = tonumber(stored) or 0
                if stored ~= actual then
                    differences[#differences + 1] = { what = what, stored = stored, actual = actual }
                    if repair then fix() end
                end
            end
            local sums = { chats = 0, held = 0, waiting = 0 }
            for _, a in ipairs(redis.call('SMEMBERS', P .. 'agents')) do
                local r = agent(a)
                if r then
                    local chats = redis.call('SCARD', akey(a) .. ':chats')
                    local held = redis.call('SCARD', akey(a) .. ':holds')
                    sums.chats = sums.chats + chats
                    sums.held = sums.held + held
                    check('agent ' .. a .. ' chats', r.chats, chats, function() redis.call('HSET', akey(a), 'chats', chats) end)
                    check('agent ' .. a .. ' held', r.held, held, function() redis.call('HSET', akey(a), 'held', held) end)
                    r.chats, r.held = chats, held
                    for _, q in ipairs(r.queueList) do
                        local expected = 0
                        if offers(r) and free_of(r) > 0 then expected = free_of(r) end
                        check('queue ' .. q .. ' free slots of ' .. a, redis.call('ZSCORE', qfree(q), a), expected,
                            function() refresh(r) end)
                        check('queue ' .. q .. ' serving slots of ' .. a, redis.call('ZSCORE', qserving(q), a),
                            offers(r) and r.maxChats or 0, function() refresh(r) end)
                    end
                end
            end
            for _, q in ipairs(redis.call('SMEMBERS', P .. 'queues')) do
                sums.waiting = sums.waiting + redis.call('ZCARD', qwait(q))
                local slots = 0
                local members = redis.call('ZRANGE', qserving(q), 0, -1, 'WITHSCORES')
                for i = 2, #members, 2 do slots = slots + tonumber(members[i]) end
                check('queue ' .. q .. ' serving slots', redis.call('HGET', P .. 'serving', q), slots,
                    function() redis.call('HSET', P .. 'serving', q, slots) end)
            end
            local totals = hash(P .. 'totals') or {}
            for _, field in ipairs({ 'chats', 'held', 'waiting' }) do
                check('site ' .. field, totals[field], sums[field],
                    function() redis.call('HSET', P .. 'totals', field, sums[field]) end)
            end
            local out = { drift = #differences }
            if #differences > 0 then out.differences = differences end
            return cjson.encode(out)
            """#
}
