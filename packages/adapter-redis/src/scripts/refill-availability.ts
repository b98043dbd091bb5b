import type { RedisScript } from './redis-script.js';

/**
 * Writes a SKU's value through the cache right after the commit that produced it. A value not
 * newer than the SKU's known version is ignored (a late write-through of an older commit).
 * Otherwise the stamp is replaced (fills in flight are refused, as by delete-availability), and
 * the value replaces the entry when the known version was known; when it was not (the SKU was
 * invalidated blind since, or was never filled), a newer commit may have been invalidated
 * without its value, so the entry is only dropped.
 *
 * The writer's pending mark on the SKU, if any, is removed in the same step.
 *
 * Input:
 *   KEYS[1] the availability key
 *   KEYS[2] the stamp key (same hash tag)
 *   KEYS[3] the known-version key (same hash tag)
 *   KEYS[4] the pending-writes key (same hash tag)
 *   ARGV[1] the value (JSON)
 *   ARGV[2] the entry's time to live, in milliseconds
 *   ARGV[3] the new stamp (unique)
 *   ARGV[4] the stamp's and known version's time to live, in milliseconds
 *   ARGV[5] the value's version (the sum of its row versions)
 *   ARGV[6] the writer whose pending mark to remove, or ''
 *
 * Output:
 *    1 stored
 *    0 ignored: a value at least as new is known
 *   -1 invalidated only: the known version was unknown
 */
export const refillAvailability: RedisScript = {
  name: 'refill-availability',
  numberOfKeys: 4,
  source: `
if ARGV[6] ~= '' then redis.call('ZREM', KEYS[4], ARGV[6]) end
local known = redis.call('GET', KEYS[3])
if known and tonumber(known) >= tonumber(ARGV[5]) then return 0 end
redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[4])
if known == false then
  redis.call('DEL', KEYS[1])
  return -1
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('SET', KEYS[3], ARGV[5], 'PX', ARGV[4])
return 1
`,
};
