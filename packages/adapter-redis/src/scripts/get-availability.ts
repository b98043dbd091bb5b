import type { RedisScript } from './redis-script.js';

/**
 * Looks a SKU up. While a write to the SKU is pending (a writer marked it just before its COMMIT
 * and has not written its value through yet), the entry is not served: the answer is a pending
 * miss. On a miss, answers the SKU's invalidation stamp as the fill token, creating a stamp
 * first when the SKU has none (so that `clear` can find every SKU with a fill in flight).
 *
 * Input:
 *   KEYS[1] the availability key
 *   KEYS[2] the stamp key (same hash tag)
 *   KEYS[3] the pending-writes key (same hash tag): a sorted set of writers, scored by the
 *           time (ms) their mark expires
 *   ARGV[1] a new unique stamp, used only when the SKU has none
 *   ARGV[2] the stamp's time to live, in milliseconds
 *
 * Output:
 *   { 1, value } on a hit, { 0, token } on a miss, { 2, token } on a miss while a write is pending
 */
export const getAvailability: RedisScript = {
  name: 'get-availability',
  numberOfKeys: 3,
  source: `
local pending = 0
if redis.call('EXISTS', KEYS[3]) == 1 then
  local now = redis.call('TIME')
  local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
  if redis.call('ZCOUNT', KEYS[3], '(' .. ms, '+inf') > 0 then pending = 2 end
end
if pending == 0 then
  local value = redis.call('GET', KEYS[1])
  if value then return { 1, value } end
end
local stamp = redis.call('GET', KEYS[2])
if stamp == false then
  stamp = ARGV[1]
  redis.call('SET', KEYS[2], stamp, 'PX', ARGV[2])
end
return { pending, stamp }
`,
};
