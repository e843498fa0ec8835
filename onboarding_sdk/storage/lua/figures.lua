-- An account's figures of one day as one hash field, "users,events,key events"
-- (population.encode_figures): one field per account and day instead of three. Prepended by
-- redis/scripts.py to note_account.lua and merge_figures.lua.
local function add_figures(key, account, users, events, key_events, expires)
  local u, e, k = 0, 0, 0
  local value = redis.call("HGET", key, account)
  if value then
    local a, b, c = string.match(value, "^(%d+),(%d+),(%d+)$")
    u, e, k = tonumber(a), tonumber(b), tonumber(c)
  end
  u = u + users
  redis.call("HSET", key, account, string.format("%d,%d,%d", u, e + events, k + key_events))
  redis.call("EXPIRE", key, expires)
  return u
end
