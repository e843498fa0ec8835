-- Delete one user's own keys (the record and the applied idempotency keys, one slot).
-- KEYS[1] = the user's hash, KEYS[2] = the user's idempotency keys (zset)
-- ARGV[1] = "" to delete unconditionally, or epoch seconds: a user last seen at or after them
-- is kept (the retention sweep must not forget someone who came back meanwhile)
-- Returns the stage index the user had (for the index's reach counts), or -1 when kept.
if ARGV[1] ~= "" then
  local last = redis.call("HGET", KEYS[1], "ls")
  if last and tonumber(last) >= tonumber(ARGV[1]) then
    return -1
  end
end
local stage = redis.call("HGET", KEYS[1], "st") or "0"
redis.call("DEL", KEYS[1], KEYS[2])
return tonumber(stage)
