-- tests/bench/wrk/reply.lua — signed-in members reply to the opening post of threads.
--   wrk ... -s reply.lua URL -- SESSIONS_FILE THREAD_IDS_FILE BODY_JSON_FILE
-- SESSIONS_FILE: "cookie<TAB>csrf" per line (signed in by tests/bench/run). Each wrk thread
-- takes every other session, so two threads never post as the same member at once.
package.path = (debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "?.lua;" .. package.path
local common = require("common")
local sessions, threads, body, n, step = {}, nil, nil, 0, 1

setup = common.setup
done = common.done

function init(args)
   local me = thread_no or 0
   step = tonumber(args[4] or "2")
   sessions = common.sessions(args[1], me, step)
   threads = common.lines(args[2])
   body = common.slurp(args[3])
   math.randomseed(2000 + me)
end

function request()
   n = n + 1
   local s = sessions[n % #sessions + 1]
   local path = "/api/v1/threads/" .. threads[math.random(#threads)] .. "/posts"
   return wrk.format("POST", path, { ["Content-Type"] = "application/json", ["Cookie"] = s.cookie,
                                     ["X-CSRF-Token"] = s.csrf }, body)
end
