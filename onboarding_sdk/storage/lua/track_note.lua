-- One track() on a single Redis node in one script: track.lua (with once.lua), then
-- note_activity.lua, then the account's global last day; redis.py's script_source wraps the two
-- scripts as the functions run_track and run_note. (A cluster cannot: the user's slot and the
-- index bucket's differ, so there redis.py pipelines the two scripts instead.)
-- KEYS = track.lua's keys, then note_activity.lua's, then the global accounts key
-- ARGV = track.lua's args, then note_activity.lua's, then two counts: track.lua's keys and args
-- Returns {track.lua's reply, note: 0 after a replayed key (nothing written) or
-- note_activity.lua's reply, and an error text when the note failed (the user's write stands)}
local nk, na = tonumber(ARGV[#ARGV - 1]), tonumber(ARGV[#ARGV])
local tk, ta, xk, xa = {}, {}, {}, {}
for i = 1, #KEYS - 1 do
  if i <= nk then table.insert(tk, KEYS[i]) else table.insert(xk, KEYS[i]) end
end
for i = 1, #ARGV - 2 do
  if i <= na then table.insert(ta, ARGV[i]) else table.insert(xa, ARGV[i]) end
end
local written = run_track(tk, ta)
if written.err then
  return written
end
if (ta[6] or "") ~= "" and written[1] == 0 then
  return {written, 0}
end
local ok, noted = pcall(run_note, xk, xa)
if not ok then
  local text = type(noted) == "table" and noted.err or tostring(noted)
  return {written, 0, text}
end
if noted ~= 0 then
  redis.call("ZADD", KEYS[#KEYS], "GT", xa[3], noted)
end
return {written, noted}
