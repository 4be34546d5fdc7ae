-- tests/bench/wrk/get_member.lua — signed-in members GET a list of paths.
--   wrk ... -s get_member.lua URL -- SESSIONS_FILE PATHS_FILE STEP
-- SESSIONS_FILE: "cookie<TAB>csrf" per line (signed in by tests/bench/run). Each request
-- goes as the next member of this thread's share, to a random path of the file, so the
-- server sees many members reading many threads, as a forum's signed-in readers do.
package.path = (debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "?.lua;" .. package.path
local common = require("common")
local sessions, paths, n = {}, nil, 0

setup = common.setup
done = common.done

function init(args)
   local me = thread_no or 0
   sessions = common.sessions(args[1], me, tonumber(args[3] or "2"))
   paths = common.lines(args[2])
   math.randomseed(3000 + me)
end

function request()
   n = n + 1
   local s = sessions[n % #sessions + 1]
   return wrk.format("GET", paths[math.random(#paths)], { ["Cookie"] = s.cookie })
end
