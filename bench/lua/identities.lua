-- Shared by the wrk scripts: the callers in $BENCH_IDENTITIES, one "token userId" a line,
-- as request headers (the shop reads the token, the bare baseline the user id).
function load_identities()
  local identities = {}
  local path = os.getenv("BENCH_IDENTITIES")
  if path then
    for line in io.lines(path) do
      local token, user = line:match("(%S+) (%S+)")
      table.insert(identities, {
        ["Authorization"] = "Bearer " .. token,
        ["X-User-Id"] = user,
        ["Content-Type"] = "application/json",
      })
    end
  end
  return identities
end
