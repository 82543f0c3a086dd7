-- wrk script for bench/runner-vs-wrk.ts (one thread, -t1): after WRK_REQUESTS responses print
-- "LIMIT" (the bench then sends SIGINT, on which wrk stops and reports its real duration), and at
-- the end a JSON summary line (durations and latencies in microseconds).
local limit = tonumber(os.getenv("WRK_REQUESTS") or "0")
local n = 0
function response(status, headers, body)
  n = n + 1
  if n == limit then
    io.write("LIMIT\n")
    io.flush()
    wrk.thread:stop()
  end
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('{"requests":%d,"durationUs":%d,"p50Us":%d,"p99Us":%d,"errors":%d,"non2xx":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end
