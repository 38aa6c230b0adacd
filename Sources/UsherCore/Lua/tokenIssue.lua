-- Issues a token: stores the SHA-1 digest of its 256 random bits, never the token. Ops may issue website, agent and
-- bot tokens only; a site has at most MAX_TOKENS.
--
-- Keys: the site's token and token-id hashes.
-- ARGV (after the prelude's, see prelude.lua; Swift: TokenIssueArguments):
--   [13] id     the token's id
--   [14] token  the token
--   [15] role   its role
--   [16] agent  the agent it is bound to ("" if none)
-- Result: `{id}`.
-- Refusals: forbidden, too_many_tokens.

local id, token, role, a = ARGV[13], ARGV[14], ARGV[15], ARGV[16]
if CALLER_ROLE ~= 'admin' and role == 'ops' then return fail('forbidden') end
if redis.call('HLEN', K.tokenIds) >= MAX_TOKENS then return fail('too_many_tokens') end
local digest = redis.sha1hex(token)
local grant = { id = id, role = role }
if a ~= '' then grant.agent = a end
redis.call('HSET', K.tokens, digest, cjson.encode(grant))
redis.call('HSET', K.tokenIds, id, digest)
return cjson.encode({ id = id })
