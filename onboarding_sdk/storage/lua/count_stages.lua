-- Stages entered on one day and whole days spent in the stages left: mirrors
-- population.count_stages. Sent by the one process whose compare-and-set moved the user.
-- KEYS[1] = stage -> users who reached it (hash), KEYS[2] = the day's counters (hash), both in
-- the user's bucket of the index
-- ARGV[1] = n, ARGV[2 .. n+1] = stages entered, then pairs (stage, whole days) of stages left;
-- the last ARGV = seconds the day's counters live after a write (population.DAY_KEYS_TTL)
local n = tonumber(ARGV[1])
for i = 2, n + 1 do
  redis.call("HINCRBY", KEYS[1], ARGV[i], 1)
  redis.call("HINCRBY", KEYS[2], "stage|" .. ARGV[i], 1)
end
for i = n + 2, #ARGV - 1, 2 do
  redis.call("HINCRBY", KEYS[2], "stay|" .. ARGV[i] .. "|" .. ARGV[i + 1], 1)
end
redis.call("EXPIRE", KEYS[2], ARGV[#ARGV])
return 1
