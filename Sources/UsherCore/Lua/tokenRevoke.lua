-- Revokes a token at once.
--
-- Keys: the site's token and token-id hashes.
-- ARGV (after the prelude's, see prelude.lua; Swift: TokenRevokeArguments):
--   [13] id  the token's id
-- Result: `{id}`.
-- Refusals: not_found, forbidden (an ops caller revoking an ops token).

local id = ARGV[13]
local digest = redis.call('HGET', K.tokenIds, id)
if not digest then return fail('not_found') end
local grant = cjson.decode(redis.call('HGET', K.tokens, digest) or '{}')
if CALLER_ROLE ~= 'admin' and grant.role == 'ops' then return fail('forbidden') end
redis.call('HDEL', K.tokens, digest)
redis.call('HDEL', K.tokenIds, id)
return cjson.encode({ id = id })
