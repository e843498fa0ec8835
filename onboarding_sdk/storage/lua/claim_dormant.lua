-- Claim the accounts that went dormant since the last claim: mirrors population.claim_dormant.
-- An account is due when its last active day is after the stored mark and at most the cutoff;
-- the mark then moves to the cutoff, so each account is claimed once per dormancy episode
-- (activity on a later day makes its last active day pass the mark again).
-- KEYS[1] = accounts by last active day (zset), KEYS[2] = the claim state (hash: "mark"), both
-- under the {accounts} tag; the caller counts the accounts' users over the index's buckets
-- ARGV[1] = cutoff day, ARGV[2] = limit
-- Returns flat pairs: account, last active day.
local cutoff = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local mark = redis.call("HGET", KEYS[2], "mark")
if mark and tonumber(mark) >= cutoff then
  return {}
end
local low = mark and ("(" .. mark) or "-inf"
local due = redis.call("ZRANGEBYSCORE", KEYS[1], low, ARGV[1], "WITHSCORES", "LIMIT", 0, limit + 1)
local new_mark = ARGV[1]
if #due > 2 * limit then
  -- More than a batch: stop after the whole day of the limit-th account (ties included).
  local last = due[2 * limit]
  local head = {}
  for i = 1, #due, 2 do
    if tonumber(due[i + 1]) < tonumber(last) then
      table.insert(head, due[i])
      table.insert(head, due[i + 1])
    end
  end
  local ties = redis.call("ZRANGEBYSCORE", KEYS[1], last, last, "WITHSCORES")
  for i = 1, #ties do
    table.insert(head, ties[i])
  end
  due = head
  new_mark = last
end
redis.call("HSET", KEYS[2], "mark", new_mark)
local result = {}
for i = 1, #due, 2 do
  table.insert(result, due[i])
  table.insert(result, due[i + 1])
end
return result
