import type { RedisScript } from './redis-script.js';

/**
 * Clears a SKU's sold-out mark after it gained availability, and raises the fence to the
 * version the restock committed (never lowers it), so a mark decided before that restock and
 * arriving late is refused.
 *
 * Input:
 *   KEYS[1] the sold-out key
 *   KEYS[2] the fence key (same hash tag)
 *   ARGV[1] the version the SKU was replenished at, or '' if unknown (the mark is only removed)
 *   ARGV[2] the fence's time to live, in milliseconds (longer than any mark takes to arrive)
 *
 * Output:
 *   1 when a mark was removed, 0 when there was none
 */
export const clearSoldOut: RedisScript = {
  name: 'clear-sold-out',
  numberOfKeys: 2,
  source: `
local removed = redis.call('DEL', KEYS[1])
if ARGV[1] ~= '' then
  local fence = redis.call('GET', KEYS[2])
  if fence == false or tonumber(fence) < tonumber(ARGV[1]) then
    redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
  else
    redis.call('PEXPIRE', KEYS[2], ARGV[2])
  end
end
return removed
`,
};
