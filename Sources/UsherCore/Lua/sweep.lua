-- The background sweeper's pass over one site, so that deadlines pass on time at sites nobody calls: expired
-- holds, lapsed heartbeats, due orphans and waits run out (see `sweep` in the prelude).
--
-- Keys: what the sweep touches.
-- ARGV: only the prelude's (Swift: PreludeOnlyArguments).
-- Result: `{more}`, true when due items are left for another pass.

return cjson.encode({ more = sweep() })
