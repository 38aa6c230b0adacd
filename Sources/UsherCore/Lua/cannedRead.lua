-- Reads a site's canned messages and their version, in one snapshot.
--
-- Keys: the canned hash, settings.
-- ARGV: only the prelude's (Swift: PreludeOnlyArguments).
-- Result: `{version, messages: {name: {kind, queue?, locale?, template, updatedAt}}}` (messages absent when none).

local out = { version = tonumber(SETTINGS.cannedVersion or '0') }
local all = hash(K.canned)
if all then
    out.messages = {}
    for name, raw in pairs(all) do out.messages[name] = cjson.decode(raw) end
end
return cjson.encode(out)
