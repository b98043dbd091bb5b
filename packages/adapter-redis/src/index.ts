// The public surface of @stockroom/adapter-redis. Named exports only.
export {
  createRedisAdapter,
  type RedisAdapter,
  type RedisAdapterOptions,
  redisClientOptions,
  redisClusterOptions,
} from './create-redis-adapter.js';
export { createKeys, DEFAULT_KEY_PREFIX, hashTag, type RedisKeys } from './keys.js';
export type { RedisAdapterStats } from './redis-adapter-stats.js';
export { RedisAvailabilityCache } from './redis-availability-cache.js';
export type { RedisClient } from './redis-gateway.js';
export { RedisJobLease } from './redis-job-lease.js';
export { RedisReservationCache } from './redis-reservation-cache.js';
export { RedisSoldOutGuard } from './sold-out-guard.js';
export { translateRedisError } from './translate-redis-error.js';
export { type ReservationCacheWiring, withReservationCache } from './with-reservation-cache.js';
