-- One user active on one day, in the user's bucket of the population index: the user's half of
-- population.note_activity (the account's half is note_account.lua, in the account's bucket).
-- KEYS[1] = users by last active day (zset), KEYS[2] = user -> account (hash),
-- KEYS[3] = the day's counters (hash)
-- ARGV[1] = user id, ARGV[2] = account id ("" when the profile names none: the remembered one
-- counts), ARGV[3] = UTC day number, ARGV[4] = the new-user field ("stage|awareness"),
-- ARGV[5] = seconds the day's keys live after a write (population.DAY_KEYS_TTL)
-- Returns {the remembered account when ARGV[2] is "" (the caller notes its half for it),
--          the account the user left when ARGV[2] names another (the caller takes the user out
--          of its members)}; false where there is none.
local user, account, day = ARGV[1], ARGV[2], tonumber(ARGV[3])
local previous = redis.call("ZSCORE", KEYS[1], user)
if not previous or tonumber(previous) < day then
  redis.call("ZADD", KEYS[1], ARGV[3], user)
  redis.call("HINCRBY", KEYS[3], "users|active", 1)
  if not previous then
    redis.call("HINCRBY", KEYS[3], ARGV[4], 1)
  end
  redis.call("EXPIRE", KEYS[3], ARGV[5])
end
local known = redis.call("HGET", KEYS[2], user)
if account == "" then
  return {known, false}
end
if account ~= known then
  redis.call("HSET", KEYS[2], user, account)
  return {false, known}
end
return {false, false}
