-- tests/bench/wrk/get.lua — anonymous GETs spread over a list of paths.
--   wrk ... -s get.lua URL -- PATHS_FILE
-- Each request takes a random path of the file (one per line).
package.path = (debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "?.lua;" .. package.path
local common = require("common")
local paths

setup = common.setup
done = common.done

function init(args)
   paths = common.lines(args[1])
   math.randomseed(1000 + (thread_no or 0))
end

function request()
   return wrk.format("GET", paths[math.random(#paths)])
end
