-- benches/random_bbox.lua: wrk asking lad-2013 for a random bbox over England on every request.
--
-- Each wrk thread is seeded apart (its number, the time and the process), so no two threads
-- and no two runs ask the same sequence: with one seed for all, 40% of requests repeat and
-- are cache hits. Set PROPS to ask only some properties (default: code,name).
--
--   wrk -t2 -c16 -d10s -s benches/random_bbox.lua http://127.0.0.1:8080
local counter = 0
local threads = {}

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

function init(args)
  local seed = os.time() * 1000 + (id or 0) * 7919 + math.floor(os.clock() * 1e6)
  math.randomseed(seed)
  props = os.getenv("PROPS") or "code,name"
end

function request()
  local lon = -5.5 + 7.0 * math.random()
  local lat = 50.0 + 5.5 * math.random()
  local w = 0.05 + 0.5 * math.random()
  local h = 0.05 + 0.4 * math.random()
  local path = string.format(
    "/collections/lad-2013/items?bbox=%.6f,%.6f,%.6f,%.6f&properties=%s",
    lon, lat, lon + w, lat + h, props)
  return wrk.format("GET", path)
end
