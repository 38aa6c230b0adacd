-- wrk script: invitation polls from ever new visitors, so every request runs the whole decision script.
-- The website token comes from the environment (scripts/bench-http sets it).
local counter = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("USHER_BENCH_TOKEN")

request = function()
    counter = counter + 1
    local body = string.format('{"visitor": "v%d-%d"}', math.random(1, 1000000), counter)
    return wrk.format(nil, os.getenv("USHER_BENCH_PATH"), nil, body)
end
