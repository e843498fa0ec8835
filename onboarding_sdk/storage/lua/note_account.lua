-- One user of an account active on one day, in the account's bucket of the population index:
-- the account's half of population.note_activity (the user's half is note_user.lua).
-- KEYS[1] = the account's users -> last active day (zset), KEYS[2] = the day's figures (hash:
-- account -> "users,events,key events"), KEYS[3] = the day's noted keys (set), KEYS[4] = the
-- day before's
-- ARGV[1] = user id, ARGV[2] = account id, ARGV[3] = UTC day number, ARGV[4] = events,
-- ARGV[5] = key events, ARGV[6] = seconds the day's figures live after a write,
-- ARGV[7] = "" or, for a keyed event on a cluster, a hash of (user, idempotency key): noted once
-- (this script runs beside the user's write, before its replay check is known),
-- ARGV[8] = seconds a day's noted keys live
-- Returns the account when this is its first active user of the day (the caller raises its last
-- day in the global accounts key, another slot), else 0.
if ARGV[7] ~= "" then
  if redis.call("SISMEMBER", KEYS[4], ARGV[7]) == 1 or redis.call("SADD", KEYS[3], ARGV[7]) == 0 then
    return 0
  end
  redis.call("EXPIRE", KEYS[3], ARGV[8])
end
local day = tonumber(ARGV[3])
local before = redis.call("ZSCORE", KEYS[1], ARGV[1])
local fresh = 0
if not before or tonumber(before) < day then
  redis.call("ZADD", KEYS[1], ARGV[3], ARGV[1])
  fresh = 1
end
local events, key_events = tonumber(ARGV[4]), tonumber(ARGV[5])
if fresh == 0 and events == 0 and key_events == 0 then
  return 0
end
if add_figures(KEYS[2], ARGV[2], fresh, events, key_events, ARGV[6]) == 1 and fresh == 1 then
  return ARGV[2]
end
return 0
