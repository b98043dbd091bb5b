import type { RedisScript } from './redis-script.js';

/**
 * Gives a lease up, only if the caller still holds it (compare-and-delete).
 *
 * Input:
 *   KEYS[1] the lease key
 *   ARGV[1] the holder's token
 *
 * Output:
 *    1 released
 *    0 held by another token (ours expired and someone else took it): left alone
 *   -1 no lease (ours expired): nothing to do
 */
export const releaseLease: RedisScript = {
  name: 'release-lease',
  numberOfKeys: 1,
  source: `
local holder = redis.call('GET', KEYS[1])
if not holder then return -1 end
if holder ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1
`,
};
