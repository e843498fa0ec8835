-- Compare-and-set of a user's stage: mirrors layout.apply_stage exactly.
-- KEYS[1] = the user's hash
-- ARGV[1] = expected stage index, ARGV[2] = new stage index,
-- ARGV[3..] = pairs (stage index, epoch seconds) stored as fields t<index>.
-- Returns 1 for the one caller that moved the stage, else 0.
local key = KEYS[1]
local expected = tonumber(ARGV[1])
local new = tonumber(ARGV[2])
local current = tonumber(redis.call("HGET", key, "st") or "0")
if current ~= expected or new <= current then
  return 0
end
local changes = {"st", ARGV[2]}
for i = 3, #ARGV, 2 do
  table.insert(changes, "t" .. ARGV[i])
  table.insert(changes, ARGV[i + 1])
end
redis.call("HSET", key, unpack(changes))
return 1
