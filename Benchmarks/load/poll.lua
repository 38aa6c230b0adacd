-- Scenarios (a) and (c) of scripts/bench-load: invitation polls from random new visitors, so each runs the whole
-- decision. Usher's benchmark site has its 50 slots held, so nearly every poll is withheld; the ceiling app
-- answers a fixed withhold to the same requests. Environment: USHER_BENCH_TOKEN, USHER_BENCH_PATH, USHER_BENCH_LUA,
-- and USHER_BENCH_DELAY_MS: when set, each connection waits that long before each request (a paced run).
local summary = dofile(os.getenv("USHER_BENCH_LUA") .. "/summary.lua")
local counter = 0
local path = os.getenv("USHER_BENCH_PATH")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("USHER_BENCH_TOKEN")

function request()
    counter = counter + 1
    local body = string.format('{"visitor": "v%d-%d"}', math.random(1, 1000000000), counter)
    return wrk.format(nil, path, nil, body)
end

local pause = tonumber(os.getenv("USHER_BENCH_DELAY_MS") or "")
if pause then
    function delay() return pause end
end

function done(s, latency)
    summary.line(s, latency)
end
