-- wrk script: POST /lookup with a 10,000-point CSV body (a grid over England, made here).
-- wrk -t1 -c4 -d10s -s benches/batch_lookup.lua 'http://127.0.0.1:8080/lookup?layers=lep-2017,nuts3-2016,lad-2013'
local rows = {"id,lon,lat"}
local side = 100
for i = 0, side * side - 1 do
  local x = -6.0 + 7.7 * ((i % side) + 0.5) / side
  local y = 50.0 + 5.8 * (math.floor(i / side) + 0.5) / side
  rows[#rows + 1] = string.format("%d,%.6f,%.6f", i, x, y)
end
wrk.method = "POST"
wrk.body = table.concat(rows, "\n") .. "\n"
wrk.headers["Content-Type"] = "text/csv"
