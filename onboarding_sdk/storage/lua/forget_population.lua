-- Drop one user's id from the population index: mirrors population.forget.
-- KEYS[1] = users by last active day (zset), KEYS[2] = user -> account (hash),
-- KEYS[3] = stage -> users who reached it (hash)
-- ARGV[1] = user id, ARGV[2] = prefix of the account member keys, ARGV[3..] = the stages the
-- user reached (their counts go down by one, never below zero)
local user = ARGV[1]
redis.call("ZREM", KEYS[1], user)
local account = redis.call("HGET", KEYS[2], user)
if account then
  redis.call("HDEL", KEYS[2], user)
  redis.call("ZREM", ARGV[2] .. account, user)
end
for i = 3, #ARGV do
  if tonumber(redis.call("HGET", KEYS[3], ARGV[i]) or "0") > 0 then
    redis.call("HINCRBY", KEYS[3], ARGV[i], -1)
  end
end
return 1
