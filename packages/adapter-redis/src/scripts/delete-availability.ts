import type { RedisScript } from './redis-script.js';

/**
 * Invalidates a SKU's cache entry blind (without its new value): removes the entry and the known
 * version, and replaces the stamp with a new unique value, so fills that missed before this
 * invalidation are refused by set-availability and refills of older commits only invalidate. The
 * writer's pending mark on the SKU, if any, is removed in the same step.
 *
 * Input:
 *   KEYS[1] the availability key
 *   KEYS[2] the stamp key (same hash tag)
 *   KEYS[3] the known-version key (same hash tag)
 *   KEYS[4] the pending-writes key (same hash tag)
 *   ARGV[1] the new stamp (unique: never equal to a stamp handed out before)
 *   ARGV[2] the stamp's time to live, in milliseconds (longer than any fill takes)
 *   ARGV[3] the writer whose pending mark to remove, or ''
 *
 * Output:
 *   1 when an entry was removed, 0 when there was none
 */
export const deleteAvailability: RedisScript = {
  name: 'delete-availability',
  numberOfKeys: 4,
  source: `
if ARGV[3] ~= '' then redis.call('ZREM', KEYS[4], ARGV[3]) end
local removed = redis.call('DEL', KEYS[1])
redis.call('DEL', KEYS[3])
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
return removed
`,
};
