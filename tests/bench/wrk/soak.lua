-- tests/bench/wrk/soak.lua — the soak mix: thread pages anonymous and signed in, the home
-- page, and replies, with a per-connection delay that holds the rate the soak asks for.
--   wrk ... -s soak.lua URL -- SESSIONS_FILE THREADS_FILE DELAY_MS
-- SESSIONS_FILE: "cookie<TAB>csrf" per line. Prints SOAK_RESULT with status counts.
local sessions, threads, delay_ms, n = {}, {}, 0, 0
ok, e4, e5 = 0, 0, 0          -- globals: done() reads them from every thread
local all_threads = {}

function setup(thread)
   table.insert(all_threads, thread)
end

local function lines(path)
   local t = {}
   for line in io.lines(path) do if line ~= "" then t[#t + 1] = line end end
   return t
end

function init(args)
   for _, l in ipairs(lines(args[1])) do
      local cookie, csrf = l:match("^([^\t]+)\t(.+)$")
      sessions[#sessions + 1] = { cookie = cookie, csrf = csrf }
   end
   threads = lines(args[2])
   delay_ms = tonumber(args[3])
   math.randomseed(os.time() + #threads)
end

function delay()
   return delay_ms
end

function request()
   n = n + 1
   local t = threads[math.random(#threads)]
   local r = math.random(100)
   if r <= 45 then
      return wrk.format("GET", "/t/" .. t)
   elseif r <= 80 then
      local s = sessions[math.random(#sessions)]
      return wrk.format("GET", "/t/" .. t, { ["Cookie"] = s.cookie })
   elseif r <= 90 then
      return wrk.format("GET", "/")
   else
      local s = sessions[math.random(#sessions)]
      return wrk.format("POST", "/api/v1/threads/" .. t .. "/posts",
         { ["Content-Type"] = "application/json", ["Cookie"] = s.cookie, ["X-CSRF-Token"] = s.csrf },
         '{"body":"Soak reply: standard changes still wait for the CAB."}')
   end
end

function response(status, headers, body)
   if status < 400 then ok = ok + 1 elseif status < 500 then e4 = e4 + 1 else e5 = e5 + 1 end
end

function done(summary, latency, requests)
   local a, b, c = 0, 0, 0
   for _, t in ipairs(all_threads) do
      a = a + t:get("ok"); b = b + t:get("e4"); c = c + t:get("e5")
   end
   io.write(string.format('SOAK_RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, ' ..
      '"socket_errors": %d, "ok": %d, "client_errors": %d, "server_errors": %d}\n', summary.requests,
      summary.duration, latency:percentile(50), latency:percentile(99),
      summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout, a, b, c))
end
