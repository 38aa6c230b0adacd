-- Invitation polls of one website token, decided one after another in one call: withhold outside the queue's
-- business hours; invite only if a slot outside every reserve of its agent's queues is free on an available agent
-- and nobody waits in the queue; otherwise withhold with a reason. Swift sends, as one call, the polls of a site and
-- token that arrived while its previous call ran (PollBatches), so the prelude runs once for all of them.
--
-- Guarantees: each poll is decided as it would be alone, after the ones before it in the call; a visitor holding an
-- invitation gets the same one back (never a second slot); a visitor with an open chat, or cooling down, is withheld;
-- a hold is a reserved slot on one agent until accept, decline or `holdSeconds` pass. Websites are rate limited, hold
-- at most `addressMaxHolds` invitations per client address, and name only known queues.
-- Keys: the visitors' invitation and chat pointers and cooldowns, the queues' free sets and waiting lines, the
-- reserve, the chosen agents' hashes and hold sets, holds, totals, counters, the rate limits.
-- ARGV (after the prelude's, see prelude.lua, whose ARGV[4] each poll replaces; Swift: InvitationArguments):
--   [13] seed        a fresh random hex string: an invitation's id is made from it and the poll's place in the call
--   [14] visitor     the first poll's visitor
--   [15] queue       its queue
--   [16] locale      its visitor's locale ("" if none)
--   [17] address     its client address
--   and from ARGV[18] the next poll's four, in the same order, and so on.
-- Result: an array with a line per poll, in order (words, not JSON: there are many polls, and none of their
-- values holds a space): `invite <id> <queue> <expiresAt>`, `withhold <reason> <retryAfterMs>`, or
-- `refused <code> [detail]` for a poll refused on its own (hours_stale, unknown_queue, rate_limited <ms>).
-- Refusals: the prelude's, of every poll of the call.

local SEED = ARGV[13]
local FIRST, FIELDS = 14, 4
-- NOW does not move within a call, so nothing falls due between its polls: one sweep serves them all.
sweep()
-- Per queue, what no later poll of this call can change: whether it is open, and a withhold for its line or its
-- lack of capacity (polls only ever take slots).
local queues = {}

-- Withholds are counted once a call, per queue and reason: nobody reads a count before the call ends.
local withheld, withheldTotal = {}, 0
local function withhold(q, reason, retryMs)
    local byReason = withheld[q] or {}
    withheld[q] = byReason
    byReason[reason] = (byReason[reason] or 0) + 1
    withheldTotal = withheldTotal + 1
    return 'withhold ' .. reason .. ' ' .. retryMs
end

local function decide(place, v, q, locale)
    local seen = queues[q]
    if seen == nil and not known_queue(q) then return fail('unknown_queue') end
    local limited = throttle()
    if limited then return limited end
    -- The visitor's two pointers in one read: its invitation, and its chat for `open_chat`.
    local pointers = redis.call('MGET', K.visitor .. v .. ':inv', vchat(v))
    local current = pointers[1]
    if current then
        local inv = hash(ikey(current))
        -- A hold missing a field is no hold: reading it must not fail the other polls of the call.
        local expiresAt = inv and inv.queue and tonumber(inv.expiresAt)
        if expiresAt and inv.state == 'held' and expiresAt > NOW then
            return 'invite ' .. current .. ' ' .. inv.queue .. ' ' .. inv.expiresAt
        end
    end
    local pollMs = setting('pollRetrySeconds') * 1000
    if open_chat(v, pointers[2]) then return withhold(q, 'chatting', pollMs) end
    if seen == nil then
        local open, opensAt = open_hours(q)
        if open == nil then return fail('hours_stale') end
        seen = { open = open, opensAt = opensAt }
        queues[q] = seen
    end
    if not seen.open then
        -- Come back at the opening, but not later than the cap: hours may change meanwhile.
        local retryMs = setting('closedRetryMaxSeconds') * 1000
        if seen.opensAt then retryMs = math.min(retryMs, seen.opensAt - NOW) end
        return withhold(q, 'closed', retryMs)
    end
    local cooling = redis.call('PTTL', K.cooldown .. v)
    if cooling > 0 then return withhold(q, 'cooldown', cooling) end
    if seen.full then return withhold(q, seen.full, pollMs) end
    if redis.call('ZCARD', qwait(q)) > 0 then
        seen.full = 'waiting'
        return withhold(q, 'waiting', pollMs)
    end
    local r = invitable_agent(q)
    if r == nil then
        seen.full = 'no_capacity'
        return withhold(q, 'no_capacity', pollMs)
    end
    local holdMs = setting('holdSeconds') * 1000
    -- This address's visitors may hold all the invitations it may: one of them ends within a hold's time.
    local full = address_full('held', holdMs)
    if full then return full end
    local id = string.sub(redis.sha1hex(SEED .. ':' .. place), 1, 24)
    local expiresAt = NOW + holdMs
    local address = caller_address()
    redis.call('HSET', ikey(id), 'visitor', v, 'queue', q, 'agent', r.id, 'state', 'held', 'issuedAt', NOW,
        'expiresAt', expiresAt)
    if locale ~= '' then redis.call('HSET', ikey(id), 'locale', locale) end
    if address then redis.call('HSET', ikey(id), 'address', address) end
    tally('held', address, 1)
    schedule(K.holds, expiresAt, id)
    redis.call('SADD', akey(r.id) .. ':holds', id)
    redis.call('SET', K.visitor .. v .. ':inv', id, 'PX', expiresAt - NOW)
    bump(r, 'held', 1)
    total('held', 1)
    refresh(r)
    count(C.issued, q)
    return 'invite ' .. id .. ' ' .. q .. ' ' .. expiresAt
end

local results = {}
for i = FIRST, #ARGV, FIELDS do
    act_for(ARGV[i + 3])
    local result = decide(i, ARGV[i], ARGV[i + 1], ARGV[i + 2])
    -- A poll refused on its own is a line, not the call's error reply: the other polls stand.
    if type(result) == 'table' then result = 'refused ' .. string.sub(result.err, 7) end
    results[#results + 1] = result
end
if withheldTotal > 0 then
    -- The total for the capacity view; per queue and in the history it is the sum of the reasons.
    redis.call('HINCRBY', K.counters, C.withheld, withheldTotal)
    for q, byReason in pairs(withheld) do
        for reason, n in pairs(byReason) do count(C.withheldBy .. reason, q, n) end
    end
end
return results
