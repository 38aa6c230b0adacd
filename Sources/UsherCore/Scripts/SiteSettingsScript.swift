/// Creates or updates a site's settings. Not preceded by the prelude: the site may not exist yet, and only the
/// root admin (checked before the call) may do this. Keys: KEYS[1] the settings hash, KEYS[2] the reserve hash.
/// ARGV: field/value pairs to set, "--defaults--", field/value pairs set only where absent, then optionally
/// "--reserve--" and queue/slots pairs that replace the reserves.
/// Result: `{created, settings: {field: value}, reserve: {queue: slots}}` (reserve absent when empty).
enum SiteSettingsScript {
    static let source =
        Prelude.hashFunction + #"""
            local created = redis.call('EXISTS', KEYS[1]) == 0
            local section = 'set'
            local replacedReserve = false
            local i = 1
            while i <= #ARGV do
                if ARGV[i] == '--defaults--' then
                    section = 'defaults'
                    i = i + 1
                elseif ARGV[i] == '--reserve--' then
                    section = 'reserve'
                    redis.call('DEL', KEYS[2])
                    i = i + 1
                else
                    if section == 'set' then
                        redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
                    elseif section == 'defaults' then
                        redis.call('HSETNX', KEYS[1], ARGV[i], ARGV[i + 1])
                    elseif tonumber(ARGV[i + 1]) > 0 then
                        redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1])
                    end
                    i = i + 2
                end
            end
            local out = { settings = hash(KEYS[1]), created = 0 }
            if created then out.created = 1 end
            local reserve = hash(KEYS[2])
            if reserve then out.reserve = reserve end
            return cjson.encode(out)
            """#
}
