-- Add 1 to a day's analytics counter at most once per user: mirrors MemoryStorage._count_once.
-- KEYS[1] = the day's counted set (population.counted_key), KEYS[2] = the day's counters hash,
-- both in the user's bucket of the index
-- ARGV[1] = "guide|action|user" (layout.counted_member), ARGV[2] = the counter ("guide|action"),
-- ARGV[3] = seconds the day's set lives (layout.COUNTED_TTL), ARGV[4] = seconds the day's
-- counters live after a write (population.DAY_KEYS_TTL)
-- Returns 1 when counted, 0 when this user was already counted that day.
if redis.call("SADD", KEYS[1], ARGV[1]) == 0 then
  return 0
end
redis.call("EXPIRE", KEYS[1], tonumber(ARGV[3]))
redis.call("HINCRBY", KEYS[2], ARGV[2], 1)
redis.call("EXPIRE", KEYS[2], ARGV[4])
return 1
