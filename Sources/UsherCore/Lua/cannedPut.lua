-- Saves one canned message and bumps the site's canned-message version, so every instance reloads.
--
-- Guarantees: at most `limit` messages per site; no two messages answer the same kind, queue and locale (locales
-- compare without case), so selection never has to pick between equals.
-- Keys: the site's canned hash, settings.
-- ARGV (after the prelude's, see prelude.lua; Swift: CannedPutArguments):
--   [13] name     the message's name
--   [14] message  the message as JSON `{kind, queue?, locale?, template}`, already validated
--   [15] limit    the most messages a site may have
-- Result: `{created, updatedAt}`.
-- Refusals: canned_conflict <other name>, canned_full.

local name, message, limit = ARGV[13], cjson.decode(ARGV[14]), tonumber(ARGV[15])
local key = K.canned
local function lower(s) if s then return string.lower(s) end return nil end
local all = hash(key) or {}
local count = 0
for other, raw in pairs(all) do
    count = count + 1
    local m = cjson.decode(raw)
    if other ~= name and m.kind == message.kind and m.queue == message.queue
        and lower(m.locale) == lower(message.locale) then
        return fail('canned_conflict ' .. other)
    end
end
local created = all[name] == nil
if created and count >= limit then return fail('canned_full') end
message.updatedAt = NOW
redis.call('HSET', key, name, cjson.encode(message))
redis.call('HINCRBY', KEYS[1], 'cannedVersion', 1)
return cjson.encode({ created = created, updatedAt = NOW })
