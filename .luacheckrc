-- luacheck for the Redis scripts in Sources/UsherCore/Lua (scripts/test runs it from the repository's root).
-- Redis runs Lua 5.1; a script is loaded as hash.lua, prelude.lua and then its own file (see Script.files), with the
-- placeholders K., C., H. and S. written out by Script.expand first.
std = "lua51"
max_line_length = 150
read_globals = { "redis", "cjson", "KEYS", "ARGV", "K", "C", "H", "S" }

local lfs = require("lfs")
local lua = "Sources/UsherCore/Lua/"
local libraries = { "hash.lua", "prelude.lua" }

-- A library's exports are its top-level locals, read from the file itself so that the list is written once.
local function exports(file)
    local names = {}
    for line in io.lines(lua .. file) do
        local name = line:match("^local function ([%w_]+)") or line:match("^local ([%w_]+)")
        if name then names[#names + 1] = name end
    end
    return names
end
local hash, prelude = exports("hash.lua"), exports("prelude.lua")

-- The scripts' text, to tell the prelude's exports that some script uses from dead code.
local scripts = {}
for file in lfs.dir(lua) do
    if file:match("%.lua$") and file ~= libraries[1] and file ~= libraries[2] then
        local handle = assert(io.open(lua .. file))
        scripts[#scripts + 1] = handle:read("*a")
        handle:close()
    end
end
local function used(name)
    for _, text in ipairs(scripts) do
        if text:find("%f[%w_]" .. name .. "%f[^%w_]") then return true end
    end
    return false
end

-- P is read by the K. placeholders, which Script.expand writes out as `(P .. '<key>')`.
local unusedExports = { "211/^P$" }
for _, name in ipairs(prelude) do
    if used(name) then unusedExports[#unusedExports + 1] = "2/^" .. name .. "$" end
end

-- The prelude sees hash.lua's function; an export of its own that no script uses is reported as unused.
files[lua .. "prelude.lua"] = { read_globals = hash, ignore = unusedExports }
-- A script sees both libraries' exports; siteSettings.lua runs after hash.lua only.
local both = {}
for _, name in ipairs(hash) do both[#both + 1] = name end
for _, name in ipairs(prelude) do both[#both + 1] = name end
files[lua] = { read_globals = both }
files[lua .. "siteSettings.lua"] = { read_globals = hash }
files[lua .. "hash.lua"] = { ignore = { "211/^hash$" } }
