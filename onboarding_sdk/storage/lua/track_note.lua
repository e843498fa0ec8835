-- One track() on a single Redis node in one script: track.lua (with once.lua), then the index's
-- note_user.lua and note_account.lua, then the account's global last day; redis/scripts.py wraps
-- the three scripts as the functions run_track, run_user and run_account. (A cluster cannot: the
-- user's slot and the buckets' differ, so there the three go in one pipeline instead.)
-- KEYS = track.lua's keys, note_user.lua's, note_account.lua's (none when the profile names no
-- account), then the global accounts key
-- ARGV = their args in the same order, then six counts: each script's keys and args
-- Returns {track.lua's reply, note_user.lua's two accounts (false: none), and an error text when
-- the index failed (the user's write stands)}; after a replayed key only {track.lua's reply}.
local n = #ARGV
local count = {}
for i = 1, 6 do
  count[i] = tonumber(ARGV[n - 6 + i])
end
local function part(list, from, size)
  local out = {}
  for i = from, from + size - 1 do
    table.insert(out, list[i])
  end
  return out
end
local tk, ta = part(KEYS, 1, count[1]), part(ARGV, 1, count[2])
local uk, ua = part(KEYS, count[1] + 1, count[3]), part(ARGV, count[2] + 1, count[4])
local ak, aa = part(KEYS, count[1] + count[3] + 1, count[5]), part(ARGV, count[2] + count[4] + 1, count[6])
local written = run_track(tk, ta)
if written.err then
  return written
end
if (ta[6] or "") ~= "" and written[1] == 0 then
  return {written}
end
local function failed(reason)
  return {written, false, false, type(reason) == "table" and reason.err or tostring(reason)}
end
local ok, noted = pcall(run_user, uk, ua)
if not ok then
  return failed(noted)
end
if #ak > 0 then
  local raised
  ok, raised = pcall(run_account, ak, aa)
  if not ok then
    return failed(raised)
  end
  if raised ~= 0 then
    redis.call("ZADD", KEYS[#KEYS], "GT", aa[3], raised)
  end
end
return {written, noted[1], noted[2]}
