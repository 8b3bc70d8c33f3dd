-- Requests spread over the addresses listed in the file named by WRK_PATHS (one path a
-- line), chosen at random; the summary as bench/wrk/report.lua prints it.
local paths = {}
for line in io.lines(os.getenv("WRK_PATHS")) do
  paths[#paths + 1] = line
end
math.randomseed(os.time())

request = function()
  return wrk.format("GET", paths[math.random(#paths)])
end

dofile(os.getenv("WRK_REPORT"))
