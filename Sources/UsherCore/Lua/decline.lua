-- Declining an invitation frees its hold at once, starts the visitor's cooldown and serves the waiting line.
--
-- Keys: the invitation, its agent, holds, the visitor's pointer and cooldown, totals, counters, the rate limits.
-- ARGV (after the prelude's, see prelude.lua; Swift: DeclineArguments):
--   [13] invitation  the invitation id
--   [14] visitor     the visitor declining
-- Result: `{state}` of the invitation.
-- Refusals: not_found, gone (expired), conflict (accepted), rate_limited <ms>.

local id, v = ARGV[13], ARGV[14]
local limited = throttle()
if limited then return limited end
sweep()
local inv = hash(ikey(id))
if inv == nil or inv.visitor ~= v then return fail('not_found') end
if inv.state == 'held' then
    release_hold(id, 'declined')
    count(C.declined, inv.queue)
    return cjson.encode({ state = 'declined' })
end
if inv.state == 'declined' then return cjson.encode({ state = 'declined' }) end
if inv.state == 'released' and tonumber(inv.expiresAt) > NOW then
    -- Its agent left before the visitor answered; the slot is already back, the cooldown starts now.
    redis.call('HSET', ikey(id), 'state', 'declined')
    cool(v, NOW)
    count(C.declined, inv.queue)
    return cjson.encode({ state = 'declined' })
end
if inv.state == 'accepted' then return fail('conflict') end
return fail('gone')
