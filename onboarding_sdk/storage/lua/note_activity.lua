-- One user active on one day: the user's bucket of the population index. Mirrors
-- population.note_activity, except the global "accounts by last active day" (another slot):
-- the caller adds the returned account's day there (ZADD GT), which this script asks for only
-- when it counts the bucket's first active user of that account that day.
-- Every key shares the bucket's hash tag (one cluster slot); the account's member set is
-- ARGV[6] .. account, which starts with that tag too.
-- KEYS[1] = users by last active day (zset), KEYS[2] = user -> account (hash),
-- KEYS[3] = the day's account counters (hash), KEYS[4] = the day's counters (hash)
-- ARGV[1] = user id, ARGV[2] = account id ("" when unknown: the remembered one is used),
-- ARGV[3] = UTC day number, ARGV[4] = events, ARGV[5] = key events,
-- ARGV[6] = prefix of the account member keys, ARGV[7] = the new-user field ("stage|awareness"),
-- ARGV[8] = seconds the day's keys live after a write (population.DAY_KEYS_TTL)
-- Returns the account whose last active day the caller must raise to the day, or 0.
local user = ARGV[1]
local account = ARGV[2]
local day = tonumber(ARGV[3])
local events = tonumber(ARGV[4])
local key_events = tonumber(ARGV[5])
local day_text = ARGV[3]
local expires = ARGV[8]

local previous = redis.call("ZSCORE", KEYS[1], user)
if not previous or tonumber(previous) < day then
  redis.call("ZADD", KEYS[1], day_text, user)
  redis.call("HINCRBY", KEYS[4], "users|active", 1)
  if not previous then
    redis.call("HINCRBY", KEYS[4], ARGV[7], 1)
  end
  redis.call("EXPIRE", KEYS[4], expires)
end

local known = redis.call("HGET", KEYS[2], user)
if account == "" then
  account = known
elseif account ~= known then
  redis.call("HSET", KEYS[2], user, account)
  if known then
    redis.call("ZREM", ARGV[6] .. known, user)
  end
end
if not account then
  return 0
end

local raise = 0
local members = ARGV[6] .. account
local before = redis.call("ZSCORE", members, user)
if not before or tonumber(before) < day then
  redis.call("ZADD", members, day_text, user)
  if redis.call("HINCRBY", KEYS[3], account .. "|u", 1) == 1 then
    raise = account
  end
end
if events > 0 then
  redis.call("HINCRBY", KEYS[3], account .. "|e", events)
end
if key_events > 0 then
  redis.call("HINCRBY", KEYS[3], account .. "|k", key_events)
end
if raise ~= 0 or events > 0 or key_events > 0 then
  redis.call("EXPIRE", KEYS[3], expires)
end
return raise
