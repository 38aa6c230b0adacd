-- Accepting an invitation turns its hold into a chat on the same agent; if that agent can no longer take it (it
-- stopped offering, dropped the queue or lowered its limit), onto another free agent, or into the waiting line.
--
-- Guarantees: only the invited visitor may accept; an expired invitation is `gone`, a released one too once its
-- original deadline passed; accepting twice returns the same chat; a visitor with an open chat gets that one back
-- and the hold's slot is freed; no accept puts an agent over `maxChats`; a chat that must wait joins the line
-- behind everyone already in it. A visitor of an address with `addressMaxOpenChats` open chats is refused
-- (`rate_limited`) before anything changes.
-- Keys: the invitation, the chat, the visitor's pointers, the agents involved, holds, the queue's free set and
-- waiting line, totals, counters, the rate limits.
-- ARGV (after the prelude's, see prelude.lua; Swift: AcceptArguments):
--   [13] invitation  the invitation id
--   [14] visitor     the visitor accepting
--   [15] chat        a fresh chat id
--   [16] name        the visitor's name ("" if none)
--   [17] locale      the visitor's locale ("" for the poll's)
-- Result: the chat view.
-- Refusals: not_found, gone, rate_limited <ms>.

local id, v, chat, name, locale = ARGV[13], ARGV[14], ARGV[15], ARGV[16], ARGV[17]
local limited = throttle()
if limited then return limited end
sweep()
local inv = hash(ikey(id))
if inv == nil or inv.visitor ~= v then return fail('not_found') end
if inv.state == 'accepted' then return cjson.encode(chat_view(inv.chat, true)) end
if inv.state ~= 'held' and inv.state ~= 'released' then return fail('gone') end
if tonumber(inv.expiresAt) <= NOW then
    -- Only a released invitation gets here (the sweep above expired every due hold): it lapses with
    -- its original deadline, and like any expiry starts the cooldown.
    redis.call('HSET', ikey(id), 'state', 'expired')
    cool(v, tonumber(inv.expiresAt))
    count(C.expired, inv.queue)
    return fail('gone')
end

local q = inv.queue
local existing = open_chat(v)
if not existing then
    local full = address_full('open', setting('pollRetrySeconds') * 1000)
    if full then return full end
end
local r = nil
if inv.state == 'held' then
    -- The hold becomes the chat: its slot moves from held to chats without ever being free.
    redis.call('ZREM', K.holds, id)
    redis.call('SREM', akey(inv.agent) .. ':holds', id)
    redis.call('DEL', K.visitor .. v .. ':inv')
    total('held', -1)
    tally('held', inv.address, -1)
    r = agent(inv.agent)
    if r then bump(r, 'held', -1) end
end
if existing or (r and not (offers(r) and serves(r, q) and free_of(r) > 0)) then
    if r then
        refresh(r)
        serve(r)
    end
    r = nil
end
count(C.accepted, q)
if existing then
    redis.call('HSET', ikey(id), 'state', 'accepted', 'chat', existing, 'resolvedAt', NOW)
    retain(ikey(id))
    return cjson.encode(chat_view(existing, true))
end
redis.call('HSET', ikey(id), 'state', 'accepted', 'chat', chat, 'resolvedAt', NOW)
retain(ikey(id))
if locale == '' then locale = inv.locale or '' end
-- Another agent takes it only as it would take a new invitation: outside every reserve.
if r == nil and redis.call('ZCARD', qwait(q)) == 0 then r = invitable_agent(q) end
return cjson.encode(start_chat(chat, v, q, 'invitation', 0, name, locale, r))
