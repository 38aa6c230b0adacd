-- Deletes one canned message and bumps the site's canned-message version.
--
-- Keys: the canned hash, settings.
-- ARGV (after the prelude's, see prelude.lua; Swift: CannedDeleteArguments):
--   [13] name  the message's name
-- Result: `{}`.
-- Refusals: no_canned.

if redis.call('HDEL', K.canned, ARGV[13]) == 0 then return fail('no_canned') end
redis.call('HINCRBY', KEYS[1], 'cannedVersion', 1)
return cjson.encode({})
