import type { RedisScript } from './redis-script.js';

/**
 * Fills a SKU's cache entry only if the SKU was not invalidated since the miss that handed out
 * the token (the token is the SKU's invalidation stamp as the miss saw it, `0` when it had none;
 * every invalidation and write-through replaces the stamp with a new unique value), and only if
 * the value is not older than the SKU's known version (two fills under one token: the one that
 * read after a later commit may land first). A value read from the store before a change is
 * therefore never cached after that change's invalidation, and a fill that began after the last
 * invalidation is kept (no time fence).
 *
 * Input:
 *   KEYS[1] the availability key
 *   KEYS[2] the stamp key (same hash tag), replaced by delete- and refill-availability
 *   KEYS[3] the known-version key (same hash tag)
 *   ARGV[1] the value (JSON)
 *   ARGV[2] the time to live, in milliseconds
 *   ARGV[3] the token the miss handed out
 *   ARGV[4] the value's version (the sum of its row versions)
 *   ARGV[5] the known version's time to live, in milliseconds
 *
 * Output:
 *    1 stored
 *    0 refused: the SKU was invalidated after the miss, or a newer value is known
 */
export const setAvailability: RedisScript = {
  name: 'set-availability',
  numberOfKeys: 3,
  source: `
local stamp = redis.call('GET', KEYS[2])
if stamp == false then stamp = '0' end
if stamp ~= ARGV[3] then return 0 end
local version = tonumber(ARGV[4])
local known = redis.call('GET', KEYS[3])
if known and tonumber(known) > version then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('SET', KEYS[3], ARGV[4], 'PX', ARGV[5])
return 1
`,
};
