-- Keep a user's experiment arms from their first exposure on: mirrors layout.remember_arms.
-- KEYS[1] = the user's hash (or an account's arms, keys.account_arms_key)
-- ARGV = field, arm, field, arm, ... (fields x:<experiment id>)
-- Each field is set only when absent; returns {arm stored, 1 if set now else 0} per field,
-- in ARGV's order.
local reply = {}
for i = 1, #ARGV, 2 do
  local set = redis.call("HSETNX", KEYS[1], ARGV[i], ARGV[i + 1])
  table.insert(reply, redis.call("HGET", KEYS[1], ARGV[i]))
  table.insert(reply, set)
end
return reply
