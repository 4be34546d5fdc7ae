-- tests/bench/wrk/common.lua — shared by the scenario scripts: reading argument files and
-- printing wrk's summary as one machine-readable line for tests/bench/run.

local M = {}

function M.lines(path)
   local t = {}
   for line in io.lines(path) do
      if line ~= "" then t[#t + 1] = line end
   end
   assert(#t > 0, "no lines in " .. path)
   return t
end

function M.slurp(path)
   local f = assert(io.open(path, "rb"))
   local s = f:read("*a")
   f:close()
   return s
end

-- This thread's share of a sessions file ("cookie<TAB>csrf" per line): every step-th
-- session from its own number on, so two threads never act as the same member at once.
function M.sessions(path, me, step)
   local all, mine = M.lines(path), {}
   for i = me + 1, #all, step do
      local cookie, csrf = all[i]:match("^([^\t]+)\t(.+)$")
      mine[#mine + 1] = { cookie = cookie, csrf = csrf }
   end
   return mine
end

-- Threads are numbered in setup() so each can seed its own random sequence and take its
-- own share of the sessions.
local counter = 0
function M.setup(thread)
   thread:set("thread_no", counter)
   counter = counter + 1
end

function M.done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format(
      'WRK_RESULT {"requests": %d, "duration_us": %d, "bytes": %d, "p50_us": %d, "p90_us": %d, ' ..
      '"p95_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f, "status_errors": %d, ' ..
      '"connect_errors": %d, "read_errors": %d, "write_errors": %d, "timeouts": %d}\n',
      summary.requests, summary.duration, summary.bytes, latency:percentile(50),
      latency:percentile(90), latency:percentile(95), latency:percentile(99), latency.max,
      latency.mean, e.status, e.connect, e.read, e.write, e.timeout))
end

return M
