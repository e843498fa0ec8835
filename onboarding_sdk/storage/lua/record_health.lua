-- An account's health band and snapshot, stored; the band stored before returned, in one step,
-- so each move between bands is seen by exactly one caller however many processes check.
-- KEYS[1] = account -> "band|snapshot" (hash)
-- ARGV[1] = account id, ARGV[2] = band, ARGV[3] = snapshot (JSON)
-- Returns the band stored before, or false (nil) when the account had none.
local before = redis.call("HGET", KEYS[1], ARGV[1])
redis.call("HSET", KEYS[1], ARGV[1], ARGV[2] .. "|" .. ARGV[3])
if not before then
  return false
end
return string.match(before, "^([^|]*)")
