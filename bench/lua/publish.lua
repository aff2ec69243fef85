-- POST /v1/events of type EVENT_TYPE, paced to RATE requests/s over CONNECTIONS connections (0 = as fast as possible).
function init(args)
  token = os.getenv("TOKEN")
  local rate = tonumber(os.getenv("RATE") or "0")
  local connections = tonumber(os.getenv("CONNECTIONS") or "1")
  pause = rate > 0 and (1000 * connections / rate) or 0
  body = '{"type":"' .. os.getenv("EVENT_TYPE") .. '","payload":{"order":12345,"status":"paid","lines":[1,2,3]}}'
end

function delay()
  return pause
end

function request()
  return wrk.format("POST", "/v1/events", {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json"
  }, body)
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  io.write(string.format("RESULT requests=%d seconds=%.3f rps=%.1f non2xx=%d errors=%d p50_ms=%.3f p99_ms=%.3f bytes=%d\n",
    summary.requests, seconds, (summary.requests - summary.errors.status) / seconds, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.bytes))
end
