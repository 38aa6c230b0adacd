-- Checks that the caller may read the site's history, and answers Redis's clock and which minutes are folded into
-- blocks (see `fold` in capacity.lua). The minutes and blocks themselves are read with pipelined `HGETALL`s (see
-- `Broker.history`): short commands that let decisions run between them, where one script reading days of minutes
-- would hold Redis for tens of milliseconds.
--
-- Keys: the record of folded minutes.
-- ARGV: only the prelude's (Swift: PreludeOnlyArguments).
-- Result: `{now, foldedSince, foldedThrough}` (ms; minutes, absent when nothing is folded).

local folded = redis.call('HMGET', K.historyFold, 'since', 'through')
return cjson.encode({ now = NOW, foldedSince = tonumber(folded[1]), foldedThrough = tonumber(folded[2]) })
