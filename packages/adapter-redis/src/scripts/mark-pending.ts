import type { RedisScript } from './redis-script.js';

/**
 * Marks a write to a SKU as about to commit: until the writer's refill- or delete-availability
 * removes it, or it expires, get-availability answers a pending miss for the SKU. Expired marks
 * of other writers (crashed between COMMIT and their cache update) are dropped on the way.
 *
 * Input:
 *   KEYS[1] the pending-writes key (a sorted set: writer → the time, in ms, its mark expires)
 *   ARGV[1] the writer
 *   ARGV[2] the mark's time to live, in milliseconds
 *
 * Output:
 *   the number of writes pending on the SKU
 */
export const markPending: RedisScript = {
  name: 'mark-pending',
  numberOfKeys: 1,
  source: `
local now = redis.call('TIME')
local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ms)
redis.call('ZADD', KEYS[1], ms + tonumber(ARGV[2]), ARGV[1])
local longest = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
redis.call('PEXPIREAT', KEYS[1], longest[2])
return redis.call('ZCARD', KEYS[1])
`,
};
