dofile("bench/lua/common.lua")
-- One delete per request, each on a distinct live subscription, through the dialect named by DIALECT,
-- in FORMAT (json | msgpack). The pool file has lines "id,number,secret"; each wrk thread takes every
-- THREADS-th line. RATE (requests/s over all connections, optional) paces the load through delay().
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
end

local function msgpack_str(s)
  if #s < 32 then return string.char(0xa0 + #s) .. s end
  return string.char(0xd9, #s) .. s
end

function init(args)
  local threads = tonumber(os.getenv("THREADS"))
  pool = {}
  local i = 0
  for line in io.lines(os.getenv("POOL")) do
    if i % threads == tid - 1 then pool[#pool + 1] = line end
    i = i + 1
  end
  nextIndex = 1
  dialect = os.getenv("DIALECT")
  msgpack = os.getenv("FORMAT") == "msgpack"
  token = os.getenv("TOKEN")
  apikey = os.getenv("APIKEY")
  org = os.getenv("ORG")
  tenant = os.getenv("TENANT")
  init_pacing()
  accept = msgpack and "application/x-msgpack" or "application/json"
end

function delay()
  return paced_delay()
end

function request()
  local line = pool[nextIndex]
  if line == nil then line = pool[#pool] else nextIndex = nextIndex + 1 end
  local id, number, secret = line:match("([^,]+),([^,]+),([^,]+)")
  local headers = { ["Accept"] = accept }
  if dialect == "v1" then
    headers["Authorization"] = "Bearer " .. token
    return wrk.format("DELETE", "/v1/subscriptions/" .. id, headers)
  elseif dialect == "m3ter" then
    headers["Authorization"] = "Bearer " .. token
    return wrk.format("DELETE", "/organizations/" .. org .. "/integrationdestinations/webhooks/" .. id, headers)
  elseif dialect == "himarley" then
    headers["x-api-key"] = apikey
    return wrk.format("DELETE", "/webhooks/unregister/" .. id, headers)
  elseif dialect == "servicestack" then
    local body
    if msgpack then
      headers["Content-Type"] = "application/x-msgpack"
      body = string.char(0x82) .. msgpack_str("id") .. msgpack_str(id) .. msgpack_str("secret") .. msgpack_str(secret)
    else
      headers["Content-Type"] = "application/json"
      body = '{"id":"' .. id .. '","secret":"' .. secret .. '"}'
    end
    return wrk.format("POST", "/sync/webhooks/subscriptions/" .. id .. "/delete", headers, body)
  elseif dialect == "cro" then
    headers["Authorization"] = "Bearer " .. token
    headers["x-tenant-id"] = tenant
    return wrk.format("DELETE", "/hooks/" .. number, headers)
  elseif dialect == "identitycloud" then
    headers["Authorization"] = "Bearer " .. token
    return wrk.format("DELETE", "/" .. org .. "/webhooks/subscriptions/" .. id, headers)
  end
end

function done(summary, latency, requests)
  print_result(summary, latency)
end
