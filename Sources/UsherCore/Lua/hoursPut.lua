-- Saves a site's business hours: the document as given, and per scope (the site, or a queue with its own hours)
-- the compiled opening (`o:<ms>`) and closing (`c:<ms>`) instants as a sorted set scored by time, valid until the
-- horizon. Recompiling passes the document it compiled, and nothing is written if the hours changed meanwhile.
--
-- Keys: settings (`timeZone`, `hoursUntil`), the document, the scopes' sorted sets and their index.
-- ARGV (after the prelude's, see prelude.lua; Swift: HoursPutArguments):
--   [13] document             the hours document, JSON
--   [14] timeZone             the time zone
--   [15] horizonMilliseconds  until when the compiled instants hold (ms)
--   [16] expected             the document the instants were compiled from ("" to replace any)
--   [17] scopes               JSON `[{queue ("" for the site), transitions: [[ms, "o" | "c"]]}]`
-- Result: `{}`.

local doc, zone, horizon, expected, scopes = ARGV[13], ARGV[14], ARGV[15], ARGV[16], cjson.decode(ARGV[17])
if expected ~= '' and redis.call('GET', K.hours) ~= expected then return cjson.encode({}) end
for _, key in ipairs(redis.call('SMEMBERS', K.hoursScopes)) do redis.call('DEL', key) end
redis.call('DEL', K.hoursScopes)
for _, scope in ipairs(scopes) do
    local key = K.hoursSite
    if scope.queue ~= '' then key = K.hoursQueue .. scope.queue end
    redis.call('SADD', K.hoursScopes, key)
    for _, t in ipairs(scope.transitions) do redis.call('ZADD', key, t[1], t[2] .. ':' .. t[1]) end
end
redis.call('SET', K.hours, doc)
redis.call('HSET', KEYS[1], 'timeZone', zone, 'hoursUntil', horizon)
return cjson.encode({})
