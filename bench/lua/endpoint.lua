-- One endpoint under load: $BENCH_METHOD $BENCH_PATH, callers taken in turn (each one once
-- when there are more callers than requests, as POST /api/orders needs: one cart each).
local lua_dir = os.getenv("BENCH_LUA_DIR")
dofile(lua_dir .. "/report.lua")
dofile(lua_dir .. "/identities.lua")

local method = os.getenv("BENCH_METHOD") or "GET"
local path = os.getenv("BENCH_PATH")
local identities = load_identities()
local turn = 0

function request()
  if #identities == 0 then
    return wrk.format(method, path)
  end
  turn = turn % #identities + 1
  return wrk.format(method, path, identities[turn])
end
