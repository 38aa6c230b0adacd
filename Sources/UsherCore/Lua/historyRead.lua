-- Checks that the caller may read the site's history, and answers Redis's clock. The minutes themselves are read
-- with pipelined `HGETALL`s (see `Broker.history`): short commands that let decisions run between them, where one
-- script reading days of minutes would hold Redis for tens of milliseconds.
--
-- Keys: none beyond the prelude's.
-- ARGV: only the prelude's (Swift: PreludeOnlyArguments).
-- Result: `{now}` (ms).

return cjson.encode({ now = NOW })
