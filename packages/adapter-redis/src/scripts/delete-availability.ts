import type { RedisScript } from './redis-script.js';

/**
 * Invalidates a SKU's cache entry and raises the fence that refuses fills for a short while
 * (fills that may carry a value read before the change being invalidated).
 *
 * Input:
 *   KEYS[1] the availability key
 *   KEYS[2] the fence key (same hash tag)
 *   ARGV[1] the fence's time to live, in milliseconds; '0' for no fence
 *
 * Output:
 *   1 when an entry was removed, 0 when there was none
 */
export const deleteAvailability: RedisScript = {
  name: 'delete-availability',
  numberOfKeys: 2,
  source: `
local removed = redis.call('DEL', KEYS[1])
if tonumber(ARGV[1]) > 0 then redis.call('SET', KEYS[2], '1', 'PX', ARGV[1]) end
return removed
`,
};
