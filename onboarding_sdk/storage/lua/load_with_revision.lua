-- A page view's read on a single server: the user's record and the content revision in one
-- command (a two-command pipeline costs redis-py about 35 us more per call).
-- KEYS[1] = the user's hash, KEYS[2] = the revision counter
return {redis.call('HGETALL', KEYS[1]), redis.call('GET', KEYS[2]) or '0'}
