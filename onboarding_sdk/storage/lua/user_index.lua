-- One user's entries in the user's bucket of the population index, for export_user (read only;
-- the caller reads the user's day in the account's members, in the account's bucket).
-- KEYS[1] = users by last active day (zset), KEYS[2] = user -> account (hash),
-- KEYS[3..] = the days' counted-once sets (members "guide|action|user")
-- ARGV[1] = user id, ARGV[2] = a SSCAN MATCH pattern every member of the user matches
-- Returns {last active day or false, account or false, flat (index of the set in KEYS, member) pairs}
local user = ARGV[1]
return {redis.call("ZSCORE", KEYS[1], user), redis.call("HGET", KEYS[2], user), counted_members(3, user, ARGV[2])}
