-- One user's entries in the population index, for export_user (read only).
-- KEYS[1] = users by last active day (zset), KEYS[2] = user -> account (hash),
-- KEYS[3..] = the days' counted-once sets (members "guide|action|user")
-- ARGV[1] = user id, ARGV[2] = prefix of the account member keys, ARGV[3] = a SSCAN MATCH
-- pattern every member of the user matches
-- Returns {last active day or false, account or false, day in the account's set or false,
--          flat (index of the set in KEYS, member) pairs}
local user = ARGV[1]
local day = redis.call("ZSCORE", KEYS[1], user)
local account = redis.call("HGET", KEYS[2], user)
local account_day = false
if account then
  account_day = redis.call("ZSCORE", ARGV[2] .. account, user)
end
local counted = {}
for k = 3, #KEYS do
  local cursor = "0"
  repeat
    local reply = redis.call("SSCAN", KEYS[k], cursor, "MATCH", ARGV[3], "COUNT", 1000)
    cursor = reply[1]
    for _, member in ipairs(reply[2]) do
      local first = string.find(member, "|", 1, true)
      local second = first and string.find(member, "|", first + 1, true)
      if second and string.sub(member, second + 1) == user then
        table.insert(counted, k)
        table.insert(counted, member)
      end
    end
  until cursor == "0"
end
return {day, account, account_day, counted}
