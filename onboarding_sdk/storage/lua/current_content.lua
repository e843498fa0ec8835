-- The current revision and its text, consistently (both keys share the {content} slot).
-- KEYS[1] = the revision counter, KEYS[2] = revision -> text
local r = redis.call('GET', KEYS[1]) or '0'
return {r, redis.call('HGET', KEYS[2], r)}
