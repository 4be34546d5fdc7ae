-- tests/bench/wrk/signin.lua — POST /api/v1/session, the accounts of a list in turn.
--   wrk ... -s signin.lua URL -- USERNAMES_FILE PASSWORD
package.path = (debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "?.lua;" .. package.path
local common = require("common")
local bodies, n = {}, 0

setup = common.setup
done = common.done

function init(args)
   for _, name in ipairs(common.lines(args[1])) do
      bodies[#bodies + 1] = string.format('{"username": "%s", "password": "%s"}', name, args[2])
   end
   n = thread_no or 0
end

function request()
   n = n + 1
   return wrk.format("POST", "/api/v1/session", { ["Content-Type"] = "application/json" },
                     bodies[n % #bodies + 1])
end
