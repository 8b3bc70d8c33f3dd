-- wrk's summary as one JSON line: requests a second, latency percentiles in ms, and
-- how many answers were not 2xx or 3xx (wrk counts those as "non2xx3xx").
done = function(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local bad = summary.errors.status + summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout
  io.write(string.format(
    '{"rps": %.1f, "p50": %.2f, "p95": %.2f, "p99": %.2f, "requests": %d, "errors": %d}\n',
    summary.requests / seconds, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, summary.requests, bad))
end
