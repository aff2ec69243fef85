-- What both wrk scripts share: the RESULT line, and open-loop pacing.

-- The one RESULT line every benchmark script prints from wrk's done(): rps counts 2xx answers only.
function print_result(summary, latency)
  local seconds = summary.duration / 1e6
  io.write(string.format("RESULT requests=%d seconds=%.3f rps=%.1f non2xx=%d errors=%d p50_ms=%.3f p99_ms=%.3f bytes=%d\n",
    summary.requests, seconds, (summary.requests - summary.errors.status) / seconds, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.bytes))
end

-- Pacing to RATE requests/s over all THREADS: each thread sends on its own fixed timetable (one request
-- every THREADS * 1000 / RATE ms), whatever the answers' latency, as long as a connection is free. A
-- fixed pause after each answer would slow the load down by the latency it measures.
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } hookhub_timespec;
  int clock_gettime(int clock, hookhub_timespec *tp);
]]
local now_buffer = ffi.new("hookhub_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, now_buffer) -- CLOCK_MONOTONIC
  return tonumber(now_buffer.tv_sec) * 1000 + tonumber(now_buffer.tv_nsec) / 1e6
end

local interval = 0
local next_at = nil

function init_pacing()
  local rate = tonumber(os.getenv("RATE") or "0")
  local threads = tonumber(os.getenv("THREADS") or "1")
  interval = rate > 0 and (1000 * threads / rate) or 0
end

-- wrk's delay(): milliseconds to wait before the next request of this thread.
function paced_delay()
  if interval == 0 then return 0 end
  local now = now_ms()
  if next_at == nil or next_at < now - 100 then
    next_at = now -- (re)start the timetable; a thread never bursts to catch up more than 100 ms
  end
  next_at = next_at + interval
  local wait = next_at - interval - now
  return wait > 0 and math.floor(wait + 0.5) or 0
end
