-- The one RESULT line every benchmark script prints from wrk's done(): rps counts 2xx answers only.
function print_result(summary, latency)
  local seconds = summary.duration / 1e6
  io.write(string.format("RESULT requests=%d seconds=%.3f rps=%.1f non2xx=%d errors=%d p50_ms=%.3f p99_ms=%.3f bytes=%d\n",
    summary.requests, seconds, (summary.requests - summary.errors.status) / seconds, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.bytes))
end
