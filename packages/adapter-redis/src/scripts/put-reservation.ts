import type { RedisScript } from './redis-script.js';

/**
 * Caches a reservation, or evicts it, only if the cached copy is older: writes that reach
 * Redis out of order (a slow read-through fill after a commit's eviction) never go back in time.
 * An eviction leaves the version behind (no `d` field) until the TTL ends, for that check.
 *
 * Input:
 *   KEYS[1] the reservation key
 *   ARGV[1] the reservation's version
 *   ARGV[2] the reservation as JSON; '' to evict
 *   ARGV[3] the time to live, in milliseconds
 *
 * Output:
 *    1 written
 *    0 skipped: the cache already holds this version or a newer one
 */
export const putReservation: RedisScript = {
  name: 'put-reservation',
  numberOfKeys: 1,
  source: `
local cached = redis.call('HGET', KEYS[1], 'v')
if cached and tonumber(cached) >= tonumber(ARGV[1]) then return 0 end
if ARGV[2] == '' then
  redis.call('HDEL', KEYS[1], 'd')
  redis.call('HSET', KEYS[1], 'v', ARGV[1])
else
  redis.call('HSET', KEYS[1], 'v', ARGV[1], 'd', ARGV[2])
end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
`,
};
