-- tests/bench/wrk/vote.lua — signed-in members vote for ideas and take the vote back.
--   wrk ... -s vote.lua URL -- SESSIONS_FILE IDEA_NUMBERS_FILE [WRK_THREADS]
-- Each wrk thread walks its own sessions × ideas: a pass of votes (POST), then a pass of
-- unvotes (DELETE), so most requests change something.
package.path = (debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "?.lua;" .. package.path
local common = require("common")
local sessions, ideas, n, step = {}, nil, 0, 1

setup = common.setup
done = common.done

function init(args)
   local me = thread_no or 0
   step = tonumber(args[3] or "2")
   sessions = common.sessions(args[1], me, step)
   ideas = common.lines(args[2])
end

function request()
   local pairs_n = #sessions * #ideas
   local k = n % pairs_n
   local s = sessions[k % #sessions + 1]
   local idea = ideas[math.floor(k / #sessions) + 1]
   local method = (math.floor(n / pairs_n) % 2 == 0) and "POST" or "DELETE"
   n = n + 1
   return wrk.format(method, "/api/v1/ideas/" .. idea .. "/votes",
                     { ["Content-Type"] = "application/json", ["Cookie"] = s.cookie,
                       ["X-CSRF-Token"] = s.csrf }, method == "POST" and "{}" or nil)
end
