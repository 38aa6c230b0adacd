-- Creates or updates a site's settings. Runs after hash.lua only, without the prelude: the site may not exist yet,
-- and only the root admin (checked before the call) may do this. The update comes whole in one JSON argument,
-- already validated, so nothing in it can be mistaken for structure and nothing is written before everything is read.
--
-- Keys: KEYS[1] the settings hash, KEYS[2] the reserve hash, KEYS[3] the capacity view's sums (see prelude.lua).
-- ARGV (Swift: SiteSettingsArguments):
--   [1] update  `{set: {field: value}, reserve?: {queue: slots}, queues?: "q1,q2", allowedOrigins?: "o1 o2"}`; a
--               reserve given replaces the reserves (slots 0 removes one), as do queues and allowed origins
-- Result: `{created, settings: {field: value}, reserve: {queue: slots}}` (reserve absent when empty).

local update = cjson.decode(ARGV[1])
local created = redis.call('EXISTS', KEYS[1]) == 0
if created then
    -- A site exists while its settings hash does: this field keeps one that stores only defaults.
    local t = redis.call('TIME')
    redis.call('HSET', KEYS[1], 'createdAt', tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000))
    -- A new site has no agent yet: its empty sums are exact, and need no first build.
    redis.call('HSET', KEYS[3], '~', '1')
end
for name, value in pairs(update.set) do redis.call('HSET', KEYS[1], name, value) end
if type(update.queues) == 'string' then redis.call('HSET', KEYS[1], 'queues', update.queues) end
if type(update.allowedOrigins) == 'string' then
    redis.call('HSET', KEYS[1], 'allowedOrigins', update.allowedOrigins)
end
if type(update.reserve) == 'table' then
    redis.call('DEL', KEYS[2])
    for queue, slots in pairs(update.reserve) do
        if slots > 0 then redis.call('HSET', KEYS[2], queue, slots) end
    end
end
local out = { settings = hash(KEYS[1]), created = 0 }
if created then out.created = 1 end
local reserve = hash(KEYS[2])
if reserve then out.reserve = reserve end
return cjson.encode(out)
