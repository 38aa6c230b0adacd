-- Removes a site's business hours: the site is always open again.
--
-- Keys: settings, the document, the scopes.
-- ARGV: only the prelude's (Swift: PreludeOnlyArguments).
-- Result: `{}`.
-- Refusals: no_hours.

if redis.call('EXISTS', K.hours) == 0 then return fail('no_hours') end
for _, key in ipairs(redis.call('SMEMBERS', K.hoursScopes)) do redis.call('DEL', key) end
redis.call('DEL', K.hoursScopes, K.hours)
redis.call('HDEL', KEYS[1], 'timeZone', 'hoursUntil')
return cjson.encode({})
