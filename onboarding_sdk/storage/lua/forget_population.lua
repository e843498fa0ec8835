-- Drop one user's id from the user's bucket of the population index: mirrors population.forget,
-- and takes the user's members out of the days' "counted once" sets (MemoryStorage.forget).
-- The caller drops the account from the global accounts key when no bucket holds a user of it.
-- KEYS[1] = users by last active day (zset), KEYS[2] = user -> account (hash),
-- KEYS[3] = stage -> users who reached it (hash), KEYS[4..] = the bucket's days' counted-once
-- sets (members "guide|action|user")
-- ARGV[1] = user id, ARGV[2] = prefix of the account member keys, ARGV[3] = a SSCAN MATCH
-- pattern every member of the user matches (personal.counted_pattern), ARGV[4..] = the stages
-- the user reached (their counts go down by one, never below zero)
-- Returns {members removed from the counted-once sets, the account the user had or false}
local user = ARGV[1]
redis.call("ZREM", KEYS[1], user)
local account = redis.call("HGET", KEYS[2], user)
if account then
  redis.call("HDEL", KEYS[2], user)
  redis.call("ZREM", ARGV[2] .. account, user)
end
for i = 4, #ARGV do
  if tonumber(redis.call("HGET", KEYS[3], ARGV[i]) or "0") > 0 then
    redis.call("HINCRBY", KEYS[3], ARGV[i], -1)
  end
end
local removed = 0
for k = 4, #KEYS do
  local cursor = "0"
  repeat
    local reply = redis.call("SSCAN", KEYS[k], cursor, "MATCH", ARGV[3], "COUNT", 1000)
    cursor = reply[1]
    for _, member in ipairs(reply[2]) do
      -- guide ids and actions hold no "|": the user is everything after the second one
      local first = string.find(member, "|", 1, true)
      local second = first and string.find(member, "|", first + 1, true)
      if second and string.sub(member, second + 1) == user then
        removed = removed + redis.call("SREM", KEYS[k], member)
      end
    end
  until cursor == "0"
end
return {removed, account}
