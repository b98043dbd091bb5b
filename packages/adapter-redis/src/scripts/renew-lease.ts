import type { RedisScript } from './redis-script.js';

/**
 * Extends a lease, only if the caller still holds it (compare-and-expire).
 *
 * Input:
 *   KEYS[1] the lease key
 *   ARGV[1] the holder's token
 *   ARGV[2] the new time to live, in milliseconds
 *
 * Output:
 *    1 renewed: the lease now lives ARGV[2] ms from this instant
 *    0 held by another token: the caller lost it
 *   -1 no lease (it expired): the caller lost it
 */
export const renewLease: RedisScript = {
  name: 'renew-lease',
  numberOfKeys: 1,
  source: `
local holder = redis.call('GET', KEYS[1])
if not holder then return -1 end
if holder ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
`,
};
