dofile("bench/lua/common.lua")
-- POST /v1/events of type EVENT_TYPE (with EVENT_KINDS > 1: of EVENT_TYPE.0 .. EVENT_TYPE.<KINDS-1> in turn),
-- paced to RATE requests/s over THREADS threads (0 = as fast as possible).
function init(args)
  token = os.getenv("TOKEN")
  init_pacing()
  local kinds = tonumber(os.getenv("EVENT_KINDS") or "1")
  bodies = {}
  for k = 0, kinds - 1 do
    local type = kinds > 1 and (os.getenv("EVENT_TYPE") .. "." .. k) or os.getenv("EVENT_TYPE")
    bodies[#bodies + 1] = '{"type":"' .. type .. '","payload":{"order":12345,"status":"paid","lines":[1,2,3]}}'
  end
  sent = 0
end

function delay()
  return paced_delay()
end

function request()
  sent = sent + 1
  return wrk.format("POST", "/v1/events", {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json"
  }, bodies[sent % #bodies + 1])
end

function done(summary, latency, requests)
  print_result(summary, latency)
end
