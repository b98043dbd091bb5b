import type { RedisScript } from './redis-script.js';

/**
 * Marks a SKU sold out, unless it gained availability in the last few moments: a mark that
 * reaches Redis just after a restock's clear was decided before that restock and is refused.
 *
 * Input:
 *   KEYS[1] the sold-out key
 *   KEYS[2] the fence key (same hash tag), set by clear-sold-out
 *   ARGV[1] the mark's time to live, in milliseconds
 *
 * Output:
 *    1 marked
 *    0 refused: the SKU was replenished within the fence
 */
export const markSoldOut: RedisScript = {
  name: 'mark-sold-out',
  numberOfKeys: 2,
  source: `
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
return 1
`,
};
