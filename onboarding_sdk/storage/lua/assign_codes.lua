-- Stable small integer codes for names, handed out atomically.
-- KEYS[1] = the codes hash: fields "<kind>:<name>" -> code, counters "#<kind>"
-- ARGV[1] = kind ("e" events, "g" guides), ARGV[2..] = names
-- Returns the codes in the order of the names; a missing name gets the next code.
local key = KEYS[1]
local kind = ARGV[1]
local codes = {}
for i = 2, #ARGV do
  local field = kind .. ":" .. ARGV[i]
  local code = redis.call("HGET", key, field)
  if code then
    code = tonumber(code)
  else
    code = redis.call("HINCRBY", key, "#" .. kind, 1)
    redis.call("HSET", key, field, code)
  end
  table.insert(codes, code)
end
return codes
