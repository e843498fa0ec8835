-- Add figures to an account's day (rebuild-index, moving earlier layouts' figures).
-- KEYS[1] = the day's figures (hash), ARGV = account, users, events, key events, seconds to live
return add_figures(KEYS[1], ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5])
