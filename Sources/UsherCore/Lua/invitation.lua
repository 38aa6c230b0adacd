-- An invitation poll: withhold outside the queue's business hours; invite only if a slot outside every reserve of
-- its agent's queues is free on an available agent and nobody waits in the queue; otherwise withhold with a reason.
--
-- Guarantees: a visitor holding an invitation gets the same one back (never a second slot); a visitor with an open
-- chat, or cooling down, is withheld; a hold is a reserved slot on one agent until accept, decline or `holdSeconds`
-- pass. Websites are rate limited, hold at most `addressMaxHolds` invitations per client address, and name only
-- known queues.
-- Keys: the visitor's invitation and chat pointers and cooldown, the queue's free set and waiting line, the reserve,
-- the chosen agent's hash and hold set, holds, totals, counters, the rate limits.
-- ARGV (after the prelude's, see prelude.lua; Swift: InvitationArguments):
--   [13] visitor     the visitor polling
--   [14] queue       the queue
--   [15] invitation  a fresh invitation id
--   [16] locale      the visitor's locale ("" if none)
-- Result: `{decision: "invite", invitation: {id, queue, expiresAt}}` or `{decision: "withhold", reason, retryAfterMs}`.
-- Refusals: hours_stale, unknown_queue, rate_limited <ms>.

local v, q, id, locale = ARGV[13], ARGV[14], ARGV[15], ARGV[16]
if not known_queue(q) then return fail('unknown_queue') end
local limited = throttle()
if limited then return limited end
sweep()
local function withhold(reason, retryMs)
    -- The total for the capacity view; per queue and in the history it is the sum of the reasons.
    redis.call('HINCRBY', K.counters, C.withheld, ONE)
    count(C.withheldBy .. reason, q)
    return cjson.encode({ decision = 'withhold', reason = reason, retryAfterMs = retryMs })
end
-- The visitor's two pointers in one read: its invitation, and its chat for `open_chat`.
local pointers = redis.call('MGET', K.visitor .. v .. ':inv', vchat(v))
local current = pointers[1]
if current then
    local inv = hash(ikey(current))
    if inv and inv.state == 'held' and tonumber(inv.expiresAt) > NOW then
        return cjson.encode({ decision = 'invite',
            invitation = { id = current, queue = inv.queue, expiresAt = tonumber(inv.expiresAt) } })
    end
end
local pollMs = setting('pollRetrySeconds') * 1000
if open_chat(v, pointers[2]) then return withhold('chatting', pollMs) end
local open, opensAt = open_hours(q)
if open == nil then return fail('hours_stale') end
if not open then
    -- Come back at the opening, but not later than the cap: hours may change meanwhile.
    local retryMs = setting('closedRetryMaxSeconds') * 1000
    if opensAt then retryMs = math.min(retryMs, opensAt - NOW) end
    return withhold('closed', retryMs)
end
local cooling = redis.call('PTTL', K.cooldown .. v)
if cooling > 0 then return withhold('cooldown', cooling) end
if redis.call('ZCARD', qwait(q)) > 0 then return withhold('waiting', pollMs) end
local r = invitable_agent(q)
if r == nil then return withhold('no_capacity', pollMs) end
local holdMs = setting('holdSeconds') * 1000
-- This address's visitors may hold all the invitations it may: one of them ends within a hold's time.
local full = address_full('held', holdMs)
if full then return full end
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
return cjson.encode({ decision = 'invite', invitation = { id = id, queue = q, expiresAt = expiresAt } })
