import type { RedisScript } from './redis-script.js';

/**
 * Clears a SKU's sold-out mark after it gained availability, and raises the fence that refuses
 * late marks for a short while.
 *
 * Input:
 *   KEYS[1] the sold-out key
 *   KEYS[2] the fence key (same hash tag)
 *   ARGV[1] the fence's time to live, in milliseconds; '0' for no fence
 *
 * Output:
 *   1 when a mark was removed, 0 when there was none
 */
export const clearSoldOut: RedisScript = {
  name: 'clear-sold-out',
  numberOfKeys: 2,
  source: `
local removed = redis.call('DEL', KEYS[1])
if tonumber(ARGV[1]) > 0 then redis.call('SET', KEYS[2], '1', 'PX', ARGV[1]) end
return removed
`,
};
