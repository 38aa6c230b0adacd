/// Reads the site's per-minute history for minutes `[first, last)`: each minute's hash (see `roll` in the prelude)
/// and the memory those hashes take. Keys: the minute hashes. ARGV[7..]: first minute, end minute (ms / 60000).
/// Result: `{minutes: {"<minute>": {"<queue>|<measure>": n}}, bytes}`, `minutes` absent when none had data.
enum HistoryReadScript {
    static let source =
        Prelude.source + #"""
            local first, last = tonumber(ARGV[7]), tonumber(ARGV[8])
            local minutes, bytes, any = {}, 0, false
            for m = first, last - 1 do
                local key = P .. 'm:' .. m
                local raw = redis.call('HGETALL', key)
                if #raw > 0 then
                    local t = {}
                    for i = 1, #raw, 2 do t[raw[i]] = tonumber(raw[i + 1]) end
                    minutes[tostring(m)] = t
                    any = true
                    bytes = bytes + (redis.call('MEMORY', 'USAGE', key) or 0)
                end
            end
            local result = { bytes = bytes }
            if any then result.minutes = minutes end
            return cjson.encode(result)
            """#
}
