-- Idempotency keys, prepended by redis.py to the scripts that take one (track.lua,
-- guide_action.lua); mirrors layout.key_applied and layout.remember_key.
-- The user's keys are a sorted set (key -> expiry, epoch seconds) in the user's slot.
local function once_applied(set_key, key, now)
  local expires = redis.call("ZSCORE", set_key, key)
  return expires ~= false and expires ~= nil and tonumber(expires) > now
end

local function once_remember(set_key, key, now, ttl, limit)
  redis.call("ZREMRANGEBYSCORE", set_key, "-inf", now)
  redis.call("ZADD", set_key, now + ttl, key)
  local extra = redis.call("ZCARD", set_key) - limit
  if extra > 0 then
    redis.call("ZREMRANGEBYRANK", set_key, 0, extra - 1)
  end
  redis.call("EXPIRE", set_key, ttl)
end
