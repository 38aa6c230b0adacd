/// Saves one canned message and bumps the site's canned-message version, so every instance reloads.
///
/// Guarantees: at most ARGV[15] messages per site; no two messages answer the same kind, queue and locale (locales
/// compare without case), so selection never has to pick between equals. Keys: the site's canned hash, settings.
/// ARGV[13..]: name, the message as JSON `{kind, queue?, locale?, template}` (already validated), the limit.
/// Result: `{created, updatedAt}`, or the refusal `canned_conflict <other name>`, `canned_full`.
enum CannedPutScript {
    static let source =
        Prelude.source + #"""
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
            """#
}

/// Deletes one canned message and bumps the site's canned-message version. Keys: the canned hash, settings.
/// ARGV[13..]: name. Result: `{}`, or the refusal `no_canned`.
enum CannedDeleteScript {
    static let source =
        Prelude.source + #"""
            if redis.call('HDEL', K.canned, ARGV[13]) == 0 then return fail('no_canned') end
            redis.call('HINCRBY', KEYS[1], 'cannedVersion', 1)
            return cjson.encode({})
            """#
}

/// Reads a site's canned messages and their version, in one snapshot. Keys: the canned hash, settings.
/// Result: `{version, messages: {name: {kind, queue?, locale?, template, updatedAt}}}` (messages absent when none).
enum CannedReadScript {
    static let source =
        Prelude.source + #"""
            local out = { version = tonumber(SETTINGS.cannedVersion or '0') }
            local all = hash(K.canned)
            if all then
                out.messages = {}
                for name, raw in pairs(all) do out.messages[name] = cjson.decode(raw) end
            end
            return cjson.encode(out)
            """#
}
