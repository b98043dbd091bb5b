import type { RedisScript } from './redis-script.js';

/**
 * Fills a SKU's cache entry unless the SKU was invalidated in the last few moments: a value a
 * reader took from the store before a commit must not be cached after that commit's
 * invalidation (the cache-aside race).
 *
 * Input:
 *   KEYS[1] the availability key
 *   KEYS[2] the fence key (same hash tag), set by delete-availability
 *   ARGV[1] the value (JSON)
 *   ARGV[2] the time to live, in milliseconds
 *
 * Output:
 *    1 stored
 *    0 skipped: the SKU was invalidated within the fence (the value may be stale)
 */
export const setAvailability: RedisScript = {
  name: 'set-availability',
  numberOfKeys: 2,
  source: `
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
`,
};
