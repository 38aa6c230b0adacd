/// Issues a token: stores the SHA-1 digest of its 256 random bits, never the token. Ops may issue website, agent and
/// bot tokens only; a site has at most MAX_TOKENS. Keys: the site's token and token-id hashes.
/// ARGV[13..]: token id, the token, role, agent ("" if none).
/// Result: `{id}`, or the refusal `forbidden`, `too_many_tokens`.
enum TokenIssueScript {
    static let source =
        Prelude.source + #"""
            local id, token, role, a = ARGV[13], ARGV[14], ARGV[15], ARGV[16]
            if CALLER_ROLE ~= 'admin' and role == 'ops' then return fail('forbidden') end
            if redis.call('HLEN', K.tokenIds) >= MAX_TOKENS then return fail('too_many_tokens') end
            local digest = redis.sha1hex(token)
            local grant = { id = id, role = role }
            if a ~= '' then grant.agent = a end
            redis.call('HSET', K.tokens, digest, cjson.encode(grant))
            redis.call('HSET', K.tokenIds, id, digest)
            return cjson.encode({ id = id })
            """#
}

/// Revokes a token at once. Keys: the site's token and token-id hashes.
/// ARGV[13..]: token id. Result: `{id}`, or the refusal `not_found`.
enum TokenRevokeScript {
    static let source =
        Prelude.source + #"""
            local id = ARGV[13]
            local digest = redis.call('HGET', K.tokenIds, id)
            if not digest then return fail('not_found') end
            local grant = cjson.decode(redis.call('HGET', K.tokens, digest) or '{}')
            if CALLER_ROLE ~= 'admin' and grant.role == 'ops' then return fail('forbidden') end
            redis.call('HDEL', K.tokens, digest)
            redis.call('HDEL', K.tokenIds, id)
            return cjson.encode({ id = id })
            """#
}
