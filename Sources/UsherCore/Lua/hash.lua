-- Reads a whole hash as a Lua table, nil when the key does not exist. The first library of every script, siteSettings.lua
-- included, which runs without the prelude.
local function hash(key)
    local raw = redis.call('HGETALL', key)
    if #raw == 0 then return nil end
    local t = {}
    for i = 1, #raw, 2 do t[raw[i]] = raw[i + 1] end
    return t
end
