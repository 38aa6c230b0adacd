/// Reads a site's settings and reserves. Keys: the settings and reserve hashes.
/// Result: `{settings: {field: value}, reserve: {queue: slots}}` (reserve absent when empty).
enum SiteReadScript {
    static let source =
        Prelude.source + #"""
            local out = { settings = SETTINGS }
            local reserve = hash(K.reserve)
            if reserve then out.reserve = reserve end
            return cjson.encode(out)
            """#
}
