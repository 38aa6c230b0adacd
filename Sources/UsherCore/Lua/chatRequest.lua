-- A reactive or escalation chat request: assigned at once when a slot is free (the queue's reserve is for exactly
-- this), otherwise queued: escalations before reactive requests, then higher priority, then first come. Outside
-- the queue's business hours the request is refused with the next opening.
--
-- Guarantees: nobody jumps a non-empty line; the line never holds more than `maxWaiting`; a visitor has at most one
-- open chat per site, so asking again (a retry after a lost reply) returns that chat (`existing`) instead of a
-- second one; websites may ask only for reactive chats without priority, in known queues, within their rate limits
-- and at most `addressMaxOpenChats` open chats per client address.
-- Keys: the chat, the visitor's chat pointer, the queue's free set and waiting line, the chosen agent, totals,
-- counters, the rate limits.
-- ARGV (after the prelude's, see prelude.lua; Swift: ChatRequestArguments):
--   [13] chat      a fresh chat id
--   [14] visitor   the visitor asking
--   [15] queue     the queue
--   [16] source    `reactive` | `escalation`
--   [17] priority  0-9
--   [18] name      the visitor's name ("" if none)
--   [19] locale    the visitor's locale ("" if none)
-- Result: the chat view (with `existing` when it was already open), or `{refused: "line_full" | "closed", ...}` (see
-- `refused` in the prelude).
-- Refusals: hours_stale, unknown_queue, website_source, website_priority, rate_limited <ms>.

local chat, v, q, source, priority, name, locale = ARGV[13], ARGV[14], ARGV[15], ARGV[16], tonumber(ARGV[17]),
    ARGV[18], ARGV[19]
if CALLER_ROLE == 'website' and source ~= 'reactive' then return fail('website_source') end
if CALLER_ROLE == 'website' and priority ~= 0 then return fail('website_priority') end
if not known_queue(q) then return fail('unknown_queue') end
local limited = throttle()
if limited then return limited end
sweep()
local existing = open_chat(v)
if existing then
    local view = chat_view(existing, true)
    view.existing = true
    return cjson.encode(view)
end
local full = address_full('open', setting('pollRetrySeconds') * 1000)
if full then return full end
local open, opensAt = open_hours(q)
if open == nil then return fail('hours_stale') end
if not open then
    count(C.refused, q)
    return refused('closed', opensAt)
end
local waiting = redis.call('ZCARD', qwait(q))
local r = nil
if waiting == 0 then r = best_agent(q) end
if r == nil and waiting >= setting('maxWaiting') then
    count(C.refused, q)
    return refused('line_full')
end
return cjson.encode(start_chat(chat, v, q, source, priority, name, locale, r))
