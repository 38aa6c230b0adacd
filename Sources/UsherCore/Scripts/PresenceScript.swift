/// Presence and heartbeat of one agent.
///
/// Guarantees: a request from a superseded session changes nothing (`superseded`); lowering `maxChats` drops no
/// chat; an agent that stops being available releases its holds at once; one that becomes available (or gains
/// slots) serves the waiting line in the same call. Keys: the agent's hash, chat and hold sets and retired
/// sessions, the presence and orphan sets, its queues' free sets and waiting lines, totals.
/// ARGV[7..]: agent, status, maxChats, queues (comma-separated), session.
/// Result: `{status, maxChats, queues, activeChats, expiresAt}`.
enum PresenceScript {
    static let source =
        Prelude.source + #"""
            sweep()
            local a, status, maxChats, queues, session = ARGV[7], ARGV[8], tonumber(ARGV[9]), ARGV[10], ARGV[11]
            local r = agent(a)
            local retired = akey(a) .. ':retired'
            if r and r.session ~= session then
                if redis.call('SISMEMBER', retired, session) == 1 then return fail('superseded') end
                redis.call('SADD', retired, r.session)
                redis.call('PEXPIRE', retired, RETENTION_MS)
            end
            if r == nil then
                redis.call('SADD', P .. 'agents', a)
                r = { id = a, chats = 0, held = 0, queueList = {} }
                redis.call('HSET', akey(a), 'chats', 0, 'held', 0)
            end
            -- Leave the free sets of queues the agent no longer serves.
            local keep = {}
            for _, q in ipairs(split(queues)) do keep[q] = true end
            for _, q in ipairs(r.queueList) do
                if not keep[q] then
                    redis.call('ZREM', qfree(q), a)
                    set_serving(q, a, 0)
                end
            end
            local deadline = NOW + setting('heartbeatSeconds') * 1000
            if status == 'offline' then deadline = 0 end
            redis.call('HSET', akey(a), 'status', status, 'maxChats', maxChats, 'queues', queues, 'session', session,
                'deadline', deadline)
            r.status, r.maxChats, r.queues, r.session, r.deadline = status, maxChats, queues, session, deadline
            r.queueList = split(queues)
            for _, q in ipairs(r.queueList) do redis.call('SADD', P .. 'queues', q) end
            if status == 'offline' then
                redis.call('ZREM', P .. 'presence', a)
            else
                redis.call('ZADD', P .. 'presence', deadline, a)
            end
            redis.call('ZREM', P .. 'orphans', a)
            if status ~= 'available' then release_all_holds(r) end
            refresh(r)
            serve(r)
            local out = { status = status, maxChats = maxChats, activeChats = r.chats, expiresAt = deadline }
            if #r.queueList > 0 then out.queues = r.queueList end
            return cjson.encode(out)
            """#
}
