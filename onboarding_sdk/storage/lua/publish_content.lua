-- Publish a whole content set as the next revision, with a compare-and-set.
-- KEYS[1] = the revision counter, KEYS[2] = the revision -> text hash, KEYS[3] = the history list
-- ARGV[1] = expected revision ("" for no check), ARGV[2] = text, ARGV[3] = history entry (JSON
-- without the revision; the revision is prepended here), ARGV[4] = history cap
-- Returns {1, new revision} or {0, current revision} when the expectation is stale.
local current = tonumber(redis.call("GET", KEYS[1]) or "0")
if ARGV[1] ~= "" and tonumber(ARGV[1]) ~= current then
  return {0, current}
end
local revision = current + 1
redis.call("SET", KEYS[1], revision)
redis.call("HSET", KEYS[2], revision, ARGV[2])
redis.call("LPUSH", KEYS[3], '{"revision":' .. revision .. ',' .. ARGV[3])
redis.call("LTRIM", KEYS[3], 0, tonumber(ARGV[4]) - 1)
return {1, revision}
