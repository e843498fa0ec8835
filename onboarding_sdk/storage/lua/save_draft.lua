-- Save a guide's console draft with a compare-and-set on its version.
-- KEYS[1] = guide id -> draft JSON, KEYS[2] = guide id -> version, KEYS[3] = the version counter
-- ARGV[1] = guide id, ARGV[2] = expected version (0: no draft yet), ARGV[3] = the draft as JSON
-- without its opening '{' (the version is prepended here)
-- Returns {1, new version} or {0, current version (0: none)} when the expectation is stale.
local current = tonumber(redis.call("HGET", KEYS[2], ARGV[1]) or "0")
if current ~= tonumber(ARGV[2]) then
  return {0, current}
end
local version = redis.call("INCR", KEYS[3])
redis.call("HSET", KEYS[2], ARGV[1], version)
local sep = ARGV[3] == "}" and "" or ","  -- an empty draft is just "}"
redis.call("HSET", KEYS[1], ARGV[1], '{"version":' .. version .. sep .. ARGV[3])
return {1, version}
