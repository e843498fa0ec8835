-- Update one guide's state for one user: mirrors layout.apply_guide_action and
-- GuideState.apply exactly. The state value is "flags,impressions,last_shown_day,step", then
-- ",first_shown_day" once shown (omitted while 0, as GuideState.encode does).
-- KEYS[1] = the user's hash
-- ARGV[1] = guide field (g<code>), ARGV[2] = action, ARGV[3] = UTC day number,
-- ARGV[4] = value (the step for "progress"), ARGV[5] = daily auto-open budget (0 = none)
-- With an idempotency key (once.lua is prepended): KEYS[2] = the user's key set,
-- ARGV[6] = the key, ARGV[7] = now (epoch seconds), ARGV[8] = its lifetime, ARGV[9] = keys kept.
-- Returns {new state, 1, 0}; when the budget is spent {unchanged state, 0, 0} (no key stored);
-- when the key was already applied {current state, 1, 1} (nothing written).
local key = KEYS[1]
local field = ARGV[1]
local action = ARGV[2]
local day = tonumber(ARGV[3])
local value = tonumber(ARGV[4])
local budget_limit = tonumber(ARGV[5])

local SHOWN, DISMISSED, COMPLETED, READ, HELPFUL, NOT_HELPFUL, GOAL = 1, 2, 4, 8, 16, 32, 64
local known = {shown = true, dismiss = true, complete = true, read = true,
               helpful = true, not_helpful = true, progress = true, goal = true}
if not known[action] then
  return redis.error_reply("ERR onboarding: unknown guide action " .. action)
end

local function int(n)
  return string.format("%.0f", n)
end

local old = redis.call("HMGET", key, field, "b")
local state = {0, 0, 0, 0, 0}
if old[1] and old[1] ~= "" then
  local i = 1
  for part in string.gmatch(old[1], "[^,]+") do
    if i <= 5 then state[i] = tonumber(part) end
    i = i + 1
  end
end
local function encode(s)
  local text = int(s[1]) .. "," .. int(s[2]) .. "," .. int(s[3]) .. "," .. int(s[4])
  if s[5] ~= 0 then text = text .. "," .. int(s[5]) end
  return text
end

local idem = ARGV[6] or ""
local now = tonumber(ARGV[7] or "0")
if idem ~= "" and once_applied(KEYS[2], idem, now) then
  return {encode(state), 1, 1}
end

local changes = {}
if action == "shown" and budget_limit > 0 then
  local used = 0
  if old[2] and old[2] ~= "" then
    local stored_day, count = string.match(old[2], "^(-?%d+),(%d+)$")
    if tonumber(stored_day) == day then used = tonumber(count) end
  end
  if used >= budget_limit then
    return {encode(state), 0, 0}
  end
  table.insert(changes, "b")
  table.insert(changes, int(day) .. "," .. int(used + 1))
end

local flags = state[1]
if action == "shown" then
  flags = bit.bor(flags, SHOWN)
  state[2] = state[2] + 1
  state[3] = day
  if state[5] == 0 then state[5] = day end
elseif action == "dismiss" then
  flags = bit.bor(flags, DISMISSED)
elseif action == "complete" then
  flags = bit.bor(flags, COMPLETED)
elseif action == "read" then
  flags = bit.bor(flags, READ)
elseif action == "helpful" then
  flags = bit.band(bit.bor(flags, HELPFUL), bit.bnot(NOT_HELPFUL))
elseif action == "not_helpful" then
  flags = bit.band(bit.bor(flags, NOT_HELPFUL), bit.bnot(HELPFUL))
elseif action == "progress" then
  state[4] = value
elseif action == "goal" then
  flags = bit.bor(flags, GOAL)
end
state[1] = flags
local new = encode(state)
table.insert(changes, field)
table.insert(changes, new)
redis.call("HSET", key, unpack(changes))
if idem ~= "" then
  once_remember(KEYS[2], idem, now, tonumber(ARGV[8]), tonumber(ARGV[9]))
end
return {new, 1, 0}
