-- Read one bucket of the population index in one call (the caller sums the buckets and reads
-- the accounts from their global key): mirrors population.population.
-- KEYS[1] = users by last active day (zset), KEYS[2] = user -> account (hash),
-- KEYS[3] = stage -> users who reached it (hash)
-- ARGV[1] = cutoff day (dormant: last active day <= cutoff), ARGV[2] = limit
-- Returns {users, reach (flat), dormant users, newest dormant users (flat user, day),
--          their accounts}
local cutoff, limit = ARGV[1], tonumber(ARGV[2])
local users = redis.call("ZCARD", KEYS[1])
local reach = redis.call("HGETALL", KEYS[3])
local dormant_users = redis.call("ZCOUNT", KEYS[1], "-inf", cutoff)
local newest_users = redis.call("ZREVRANGEBYSCORE", KEYS[1], cutoff, "-inf", "WITHSCORES", "LIMIT", 0, limit)
local their_accounts = {}
for i = 1, #newest_users, 2 do  -- one HGET each: unpack() of a long list would overflow Lua's stack
  table.insert(their_accounts, redis.call("HGET", KEYS[2], newest_users[i]))
end
return {users, reach, dormant_users, newest_users, their_accounts}
