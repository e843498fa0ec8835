-- One user's members of the days' "counted once" sets (members "guide|action|user"), found
-- exactly: prepended by redis/scripts.py to forget_population.lua and user_index.lua.
-- Returns flat pairs: the index of the set in KEYS, the member.
local function counted_members(first, user, pattern)
  local found = {}
  for k = first, #KEYS do
    local cursor = "0"
    repeat
      local reply = redis.call("SSCAN", KEYS[k], cursor, "MATCH", pattern, "COUNT", 1000)
      cursor = reply[1]
      for _, member in ipairs(reply[2]) do
        -- guide ids and actions hold no "|": the user is everything after the second one
        local bar = string.find(member, "|", 1, true)
        local second = bar and string.find(member, "|", bar + 1, true)
        if second and string.sub(member, second + 1) == user then
          table.insert(found, k)
          table.insert(found, member)
        end
      end
    until cursor == "0"
  end
  return found
end
