-- Read the population index in one call: mirrors population.population.
-- KEYS[1] = users by last active day (zset), KEYS[2] = user -> account (hash),
-- KEYS[3] = accounts by last active day (zset), KEYS[4] = stage -> users who reached it (hash)
-- ARGV[1] = cutoff day (dormant: last active day <= cutoff), ARGV[2] = since day (an account's
-- active users are those active on or after it), ARGV[3] = limit, ARGV[4] = prefix of the
-- account member keys
-- Returns {users, reach (flat), dormant users, newest dormant users (flat user, day),
--          their accounts, accounts, dormant accounts, newest (flat account, day, users, active)}
local cutoff, since, limit = ARGV[1], ARGV[2], tonumber(ARGV[3])
local users = redis.call("ZCARD", KEYS[1])
local reach = redis.call("HGETALL", KEYS[4])
local dormant_users = redis.call("ZCOUNT", KEYS[1], "-inf", cutoff)
local newest_users = redis.call("ZREVRANGEBYSCORE", KEYS[1], cutoff, "-inf", "WITHSCORES", "LIMIT", 0, limit)
local their_accounts = {}
for i = 1, #newest_users, 2 do  -- one HGET each: unpack() of a long list would overflow Lua's stack
  table.insert(their_accounts, redis.call("HGET", KEYS[2], newest_users[i]))
end
local accounts = redis.call("ZCARD", KEYS[3])
local dormant_accounts = redis.call("ZCOUNT", KEYS[3], "-inf", cutoff)
local found = redis.call("ZREVRANGEBYSCORE", KEYS[3], cutoff, "-inf", "WITHSCORES", "LIMIT", 0, limit)
local newest_accounts = {}
for i = 1, #found, 2 do
  local members = ARGV[4] .. found[i]
  table.insert(newest_accounts, found[i])
  table.insert(newest_accounts, found[i + 1])
  table.insert(newest_accounts, redis.call("ZCARD", members))
  table.insert(newest_accounts, redis.call("ZCOUNT", members, since, "+inf"))
end
return {users, reach, dormant_users, newest_users, their_accounts, accounts, dormant_accounts, newest_accounts}
