-- Reads a site's business hours document.
--
-- Keys: the document.
-- ARGV: only the prelude's (Swift: PreludeOnlyArguments).
-- Result: `{hours}` (absent when none).

return cjson.encode({ hours = redis.call('GET', K.hours) or nil })
