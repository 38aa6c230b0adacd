-- Shared by the wrk scripts of scripts/bench-load: wrk's own totals as one JSON line ("BENCH {...}") that the
-- harness reads. Latencies are in microseconds; `status` counts replies of status 400 and above, as wrk does.
local summary = {}

function summary.line(s, latency, extra)
    local fields = {
        string.format('"requests": %d', s.requests),
        string.format('"seconds": %.6f', s.duration / 1e6),
        string.format('"connectErrors": %d', s.errors.connect),
        string.format('"readErrors": %d', s.errors.read),
        string.format('"writeErrors": %d', s.errors.write),
        string.format('"statusErrors": %d', s.errors.status),
        string.format('"timeouts": %d', s.errors.timeout),
        string.format('"p50": %d', latency:percentile(50)),
        string.format('"p99": %d', latency:percentile(99)),
        string.format('"p999": %d', latency:percentile(99.9)),
    }
    if extra then table.insert(fields, extra) end
    io.write("BENCH {" .. table.concat(fields, ", ") .. "}\n")
end

return summary
