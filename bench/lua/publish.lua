dofile("bench/lua/result.lua")
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
  print_result(summary, latency)
end
