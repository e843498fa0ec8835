-- Atomically record one activity for one user: mirrors layout.apply_event exactly.
-- KEYS[1] = the user's hash
-- ARGV[1] = event field ("" for a bare visit), ARGV[2] = at (epoch seconds),
-- ARGV[3] = sign-up time ("" when unknown), ARGV[4] = EPOCH0, ARGV[5] = seconds per day
-- Returns the whole updated hash (HGETALL).
-- With an idempotency key (once.lua is prepended): KEYS[2] = the user's key set, ARGV[6] = the
-- key, ARGV[7] = its lifetime, ARGV[8] = keys kept (now is ARGV[2]); then returns
-- {1, HGETALL} after a write, or {0, HGETALL} when the key was already applied (nothing written).
local key = KEYS[1]
local field = ARGV[1]
local at = tonumber(ARGV[2])
local epoch0 = tonumber(ARGV[4])
local day_seconds = tonumber(ARGV[5])

local idem = ARGV[6] or ""
if idem ~= "" and once_applied(KEYS[2], idem, at) then
  return {0, redis.call("HGETALL", key)}
end

local digits = "0123456789abcdefghijklmnopqrstuvwxyz"

-- Integers as plain decimal text (tostring would switch to exponent notation).
local function int(n)
  return string.format("%.0f", n)
end

local function b36(n)
  if n == 0 then
    return "0"
  end
  local out = {}
  while n > 0 do
    local rem = n % 36
    table.insert(out, 1, string.sub(digits, rem + 1, rem + 1))
    n = (n - rem) / 36
  end
  return table.concat(out)
end

local function encode_event(count, first, last)
  return int(count) .. "," .. b36(first - epoch0) .. "," .. b36(last - first)
end

-- Event times are stored relative to EPOCH0 and base 36 has no sign: refuse
-- before writing anything (the Python reference raises ValueError here).
if field ~= "" and at < epoch0 then
  return redis.error_reply("ERR onboarding: event time before 2000-01-01")
end

-- One read of everything the update depends on ("su" stands in for a missing field).
local old = redis.call("HMGET", key, "su", "fs", "ls", "d0", "d", field ~= "" and field or "su")
local changes = {}

if ARGV[3] ~= "" and not old[1] then
  table.insert(changes, "su")
  table.insert(changes, ARGV[3])
end
if not old[2] or at < tonumber(old[2]) then
  table.insert(changes, "fs")
  table.insert(changes, int(at))
end
if not old[3] or at > tonumber(old[3]) then
  table.insert(changes, "ls")
  table.insert(changes, int(at))
end

-- Active-day bitmap: most significant bit first, bit i = day d0 + i.
-- It grows by whole bytes at either end so existing bits keep their place.
local day = math.floor(at / day_seconds)
local d0
local bitmap = old[5] or ""
if not old[4] then
  d0 = day
else
  d0 = tonumber(old[4])
  if day < d0 then
    local shift = math.ceil((d0 - day) / 8)
    bitmap = string.rep("\0", shift) .. bitmap
    d0 = d0 - shift * 8
  end
end
local index = day - d0
local byte = math.floor(index / 8)
if #bitmap <= byte then
  bitmap = bitmap .. string.rep("\0", byte + 1 - #bitmap)
end
local value = bit.bor(string.byte(bitmap, byte + 1), bit.rshift(0x80, index % 8))
bitmap = string.sub(bitmap, 1, byte) .. string.char(value) .. string.sub(bitmap, byte + 2)
table.insert(changes, "d0")
table.insert(changes, int(d0))
table.insert(changes, "d")
table.insert(changes, bitmap)

if field ~= "" then
  local encoded
  local previous = old[6]
  if not previous then
    encoded = encode_event(1, at, at)
  else
    local c, f, s = string.match(previous, "^(%d+),(%w+),(%w+)$")
    if not c then
      return redis.error_reply("ERR onboarding: malformed event value in field " .. field)
    end
    local first = tonumber(f, 36) + epoch0
    local last = first + tonumber(s, 36)
    encoded = encode_event(tonumber(c) + 1, math.min(first, at), math.max(last, at))
  end
  table.insert(changes, field)
  table.insert(changes, encoded)
end

redis.call("HSET", key, unpack(changes))
if idem ~= "" then
  once_remember(KEYS[2], idem, at, tonumber(ARGV[7]), tonumber(ARGV[8]))
  return {1, redis.call("HGETALL", key)}
end
return redis.call("HGETALL", key)
