import type { RedisScript } from './redis-script.js';

/**
 * Looks a SKU up. On a miss, answers the SKU's invalidation stamp as the fill token, creating a
 * stamp first when the SKU has none (so that `clear` can find every SKU with a fill in flight).
 *
 * Input:
 *   KEYS[1] the availability key
 *   KEYS[2] the stamp key (same hash tag)
 *   ARGV[1] a new unique stamp, used only when the SKU has none
 *   ARGV[2] the stamp's time to live, in milliseconds
 *
 * Output:
 *   { 1, value } on a hit, { 0, token } on a miss
 */
export const getAvailability: RedisScript = {
  name: 'get-availability',
  numberOfKeys: 2,
  source: `
local value = redis.call('GET', KEYS[1])
if value then return { 1, value } end
local stamp = redis.call('GET', KEYS[2])
if stamp == false then
  stamp = ARGV[1]
  redis.call('SET', KEYS[2], stamp, 'PX', ARGV[2])
end
return { 0, stamp }
`,
};
