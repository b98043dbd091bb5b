import { type Logger, StoreUnavailableError, silentLogger } from '@stockroom/core';
import { type ClusterOptions, Redis, type RedisOptions } from 'ioredis';
import { createKeys, DEFAULT_KEY_PREFIX, type RedisKeys } from './keys.js';
import { createRedisAdapterStats, type RedisAdapterStats } from './redis-adapter-stats.js';
import { RedisAvailabilityCache } from './redis-availability-cache.js';
import { type RedisClient, RedisGateway } from './redis-gateway.js';
import { RedisJobLease } from './redis-job-lease.js';
import { RedisReservationCache } from './redis-reservation-cache.js';
import { RedisSoldOutGuard } from './sold-out-guard.js';

/** Options of `createRedisAdapter`. */
export interface RedisAdapterOptions {
  /**
   * An ioredis `Redis` or `Cluster` the caller owns (the adapter never closes it), or a
   * `redis://` URL: the adapter then creates a client with `redisClientOptions` and closes it in
   * `close()`. Create your own clients with `redisClientOptions` / `redisClusterOptions` so an
   * outage fails fast instead of queueing commands.
   */
  readonly client: RedisClient | string;
  /** Starts every key (no braces). @default 'stockroom:' */
  readonly prefix?: string;
  /**
   * TTL of cached availability. @default the TTL the stockroom passes
   * (`policies.cacheTtlMs`, 60 s)
   */
  readonly cacheTtlMs?: number;
  /**
   * The longest an ACTIVE reservation stays cached (never past its `expiresAt`), and how long an
   * eviction leaves its version behind. @default 60000
   */
  readonly reservationTtlMs?: number;
  /** Every Redis call gives up after this long; the stockroom then proceeds without Redis. @default 250 */
  readonly commandTimeoutMs?: number;
  /**
   * @deprecated Ignored: sold-out marks and clears are version-stamped (a mark decided before a
   * restock is refused whenever it arrives), so there is no time fence any more.
   */
  readonly fenceMs?: number;
  /** A pino-compatible logger. @default silent */
  readonly logger?: Logger;
}

/** Everything the adapter offers; pass `cache` and `soldOutGuard` to `createStockroom`. */
export interface RedisAdapter {
  /** The availability cache (`createStockroom({ cache })`). */
  readonly cache: RedisAvailabilityCache;
  /** The hot-SKU sold-out guard (`createStockroom({ soldOutGuard })`). */
  readonly soldOutGuard: RedisSoldOutGuard;
  /** Job leases for background jobs (expiry sweep, outbox relay, …). */
  readonly jobLease: RedisJobLease;
  /** ACTIVE reservations by id; wire it with `withReservationCache(store, …)`. */
  readonly reservationCache: RedisReservationCache;
  /** Counters: hits, misses, refusals, errors, … */
  readonly stats: RedisAdapterStats;
  /** The key layout (for operations and tests). */
  readonly keys: RedisKeys;
  /** The client in use. */
  readonly client: RedisClient;
  /**
   * Resolves once the client is connected. Calls made before fail fast and are treated as
   * misses, so awaiting this is optional (useful at start-up and in readiness probes).
   * @throws STORE_UNAVAILABLE when Redis is not ready within `timeoutMs` (default 5000)
   */
  ready(timeoutMs?: number): Promise<void>;
  /** Stops listening to the client and closes it if the adapter created it. Idempotent. */
  close(): Promise<void>;
}

/**
 * Client options that make an outage fail fast: commands time out after `commandTimeoutMs`,
 * nothing queues while disconnected or is resent after a reconnect (a late cache write could be
 * stale), and reconnection retries forever, at most a second apart.
 */
export function redisClientOptions(commandTimeoutMs = 250): RedisOptions {
  return {
    commandTimeout: commandTimeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(times * 100, 1000),
  };
}

/**
 * Cluster options in the same spirit as `redisClientOptions`. Node connections keep ioredis'
 * own offline queue (the cluster forces it); the adapter's timeout still bounds every call.
 */
export function redisClusterOptions(commandTimeoutMs = 250): ClusterOptions {
  const {
    retryStrategy: _retryStrategy,
    enableOfflineQueue: _queue,
    ...node
  } = redisClientOptions(commandTimeoutMs);
  return {
    enableOfflineQueue: false,
    clusterRetryStrategy: (times) => Math.min(times * 100, 1000),
    redisOptions: node,
  };
}

/**
 * The Redis side of stockroom: availability cache, sold-out guard, job leases and the
 * active-reservation cache, over one ioredis client (single node or cluster). Redis is never the
 * source of truth: when it fails or is slow, every stockroom call still completes against the
 * store, and the adapter uses Redis again as soon as it answers.
 *
 * @example
 * ```ts
 * const redis = createRedisAdapter({ client: 'redis://127.0.0.1:6379', prefix: 'shop:' });
 * await redis.ready();
 * const stockroom = createStockroom({ store, cache: redis.cache, soldOutGuard: redis.soldOutGuard });
 * // …
 * await stockroom.close(); // closes the store and, through the cache, the adapter's client
 * ```
 * @throws VALIDATION_FAILED when the prefix holds braces
 */
export function createRedisAdapter(options: RedisAdapterOptions): RedisAdapter {
  const logger = options.logger ?? silentLogger;
  const commandTimeoutMs = options.commandTimeoutMs ?? 250;
  const keys = createKeys(options.prefix ?? DEFAULT_KEY_PREFIX);
  const owned = typeof options.client === 'string';
  const client: RedisClient =
    typeof options.client === 'string'
      ? new Redis(options.client, redisClientOptions(commandTimeoutMs))
      : options.client;
  const onError = (error: unknown) => {
    logger.debug({ err: error }, 'Redis connection error');
  };
  // ioredis prints unhandled 'error' events; the adapter's own client reports to the logger.
  if (owned) client.on('error', onError);
  const stats = createRedisAdapterStats();
  const gateway = new RedisGateway({ client, commandTimeoutMs, logger, stats });
  let closing: Promise<void> | undefined;

  const close = () => {
    closing ??= (async () => {
      gateway.detach();
      if (!owned || client.status === 'end') return;
      const ended = new Promise<void>((resolve) => client.once('end', () => resolve()));
      try {
        await client.quit();
      } catch {
        client.disconnect();
      }
      // A client waiting to reconnect stops without an 'end' event: do not wait for it forever.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        ended,
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, commandTimeoutMs);
        }),
      ]);
      clearTimeout(timer);
      client.off('error', onError);
    })();
    return closing;
  };

  return {
    cache: new RedisAvailabilityCache({
      gateway,
      keys,
      stats,
      logger,
      onClose: close,
      ...(options.cacheTtlMs === undefined ? {} : { ttlMs: options.cacheTtlMs }),
    }),
    soldOutGuard: new RedisSoldOutGuard({ gateway, keys, stats, logger }),
    jobLease: new RedisJobLease({ gateway, keys, stats, logger }),
    reservationCache: new RedisReservationCache({
      gateway,
      keys,
      stats,
      ttlMs: options.reservationTtlMs ?? 60_000,
    }),
    stats,
    keys,
    client,
    ready: (timeoutMs = 5000) => waitUntilReady(client, timeoutMs),
    close,
  };
}

function waitUntilReady(client: RedisClient, timeoutMs: number): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      client.off('ready', done);
      resolve();
    };
    const timer = setTimeout(() => {
      client.off('ready', done);
      reject(new StoreUnavailableError(`Redis was not ready within ${timeoutMs} ms`));
    }, timeoutMs);
    client.on('ready', done);
  });
}
