import type { RedisScript } from './redis-script.js';

/**
 * Fills a SKU's cache entry only if the SKU was not invalidated since the miss that handed out
 * the token: the token is the SKU's invalidation stamp as the miss saw it (`0` when it had
 * none), and every invalidation replaces the stamp with a new unique value. A value read from
 * the store before a change is therefore never cached after that change's invalidation, and a
 * fill that began after the last invalidation is kept (no time fence).
 *
 * Input:
 *   KEYS[1] the availability key
 *   KEYS[2] the stamp key (same hash tag), replaced by delete-availability
 *   ARGV[1] the value (JSON)
 *   ARGV[2] the time to live, in milliseconds
 *   ARGV[3] the token the miss handed out
 *
 * Output:
 *    1 stored
 *    0 refused: the SKU was invalidated after the miss (the value may be older than that change)
 */
export const setAvailability: RedisScript = {
  name: 'set-availability',
  numberOfKeys: 2,
  source: `
local stamp = redis.call('GET', KEYS[2])
if stamp == false then stamp = '0' end
if stamp ~= ARGV[3] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
`,
};
