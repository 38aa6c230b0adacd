-- Reads a site's settings and reserves.
--
-- Keys: the settings and reserve hashes.
-- ARGV: only the prelude's (Swift: PreludeOnlyArguments).
-- Result: `{settings: {field: value}, reserve: {queue: slots}}` (reserve absent when empty).

local out = { settings = SETTINGS }
local reserve = hash(K.reserve)
if reserve then out.reserve = reserve end
return cjson.encode(out)
