-- wrk script for bench/load.py: each thread (run as many threads as connections, so one connection each)
-- signs in as its own learner, given as session cookies after `--`; no cookie at all when none is given.
-- Anything but a 200 is counted, since wrk itself takes a redirect to /login for a success.
local threads = {}
local count = 0

function setup(thread)
  thread:set("index", count)
  count = count + 1
  table.insert(threads, thread)
end

function init(args)
  not_ok = 0
  if #args > 0 then
    wrk.headers["Cookie"] = "session=" .. args[index % #args + 1]
  end
end

function response(status, headers, body)
  if status ~= 200 then
    not_ok = not_ok + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("not_ok")
  end
  local e = summary.errors
  io.write(string.format(
    "FIGURES requests=%d duration_us=%d p50_us=%d p95_us=%d p99_us=%d not_ok=%d socket_errors=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), bad, e.connect + e.read + e.write + e.timeout))
end
