import type { RedisScript } from './redis-script.js';

/**
 * Marks a SKU sold out, unless a restock at least as new as the write that emptied it was
 * already recorded: the fence key holds the highest version the SKU was replenished at, and a
 * mark carries the version of the commit that decided it. A mark without a version is refused
 * while any fence exists (it cannot be ordered against the restocks).
 *
 * Input:
 *   KEYS[1] the sold-out key
 *   KEYS[2] the fence key (same hash tag), raised by clear-sold-out
 *   ARGV[1] the mark's time to live, in milliseconds
 *   ARGV[2] the version the SKU was emptied at (the sum of its row versions), or '' if unknown
 *
 * Output:
 *    1 marked
 *    0 refused: the SKU was replenished at this version or a newer one
 */
export const markSoldOut: RedisScript = {
  name: 'mark-sold-out',
  numberOfKeys: 2,
  source: `
local fence = redis.call('GET', KEYS[2])
if fence then
  if ARGV[2] == '' or tonumber(fence) >= tonumber(ARGV[2]) then return 0 end
end
redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
return 1
`,
};
