-- Drop one user's id from the user's bucket of the population index: mirrors population.forget
-- there, and takes the user's members out of the days' "counted once" sets (counted.lua). The
-- caller takes the user out of the account's members (the account's bucket) and drops the
-- account from the global accounts key when it has no user left.
-- KEYS[1] = users by last active day (zset), KEYS[2] = user -> account (hash),
-- KEYS[3] = stage -> users who reached it (hash), KEYS[4..] = the bucket's days' counted-once sets
-- ARGV[1] = user id, ARGV[2] = a SSCAN MATCH pattern every member of the user matches
-- (personal.counted_pattern), ARGV[3..] = the stages the user reached (their counts go down by
-- one, never below zero)
-- Returns {members removed from the counted-once sets, the account the user had or false}
local user = ARGV[1]
redis.call("ZREM", KEYS[1], user)
local account = redis.call("HGET", KEYS[2], user)
if account then
  redis.call("HDEL", KEYS[2], user)
end
for i = 3, #ARGV do
  if tonumber(redis.call("HGET", KEYS[3], ARGV[i]) or "0") > 0 then
    redis.call("HINCRBY", KEYS[3], ARGV[i], -1)
  end
end
local found = counted_members(4, user, ARGV[2])
local removed = 0
for i = 1, #found, 2 do
  removed = removed + redis.call("SREM", KEYS[found[i]], found[i + 1])
end
return {removed, account}
