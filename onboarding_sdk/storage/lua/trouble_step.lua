-- A trouble's compare-and-set in the user's record: mirrors storage/troubles.step.
-- KEYS[1] = the user's hash
-- ARGV[1] = the field (f:<guide id>), ARGV[2] = the states it may be in ("-" for missing),
-- ARGV[3] = the new value (one letter: the new state, keeping time and page), ARGV[4] = "" or epoch seconds: a value older than that is replaced too
-- Returns 1 when set, 0 when left as it was.
local current = redis.call("HGET", KEYS[1], ARGV[1])
local state = "-"
if current then
  state = string.sub(current, 1, 1)
end
local old = false
if current and ARGV[4] ~= "" then
  local at = string.match(current, "^.|(%d+)|")
  old = at ~= nil and tonumber(at) < tonumber(ARGV[4])
end
if not old and string.find(ARGV[2], state, 1, true) == nil then
  return 0
end
local value = ARGV[3]
if #value == 1 and current then
  value = value .. string.sub(current, 2)
end
redis.call("HSET", KEYS[1], ARGV[1], value)
return 1
