-- Remove a guide's console draft if it is still at the expected version.
-- KEYS[1] = guide id -> draft JSON, KEYS[2] = guide id -> version
-- ARGV[1] = guide id, ARGV[2] = expected version
-- Returns 1 when removed, 0 when there is no such draft (or a newer one).
local current = tonumber(redis.call("HGET", KEYS[2], ARGV[1]) or "0")
if current == 0 or current ~= tonumber(ARGV[2]) then
  return 0
end
redis.call("HDEL", KEYS[1], ARGV[1])
redis.call("HDEL", KEYS[2], ARGV[1])
return 1
