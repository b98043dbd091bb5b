import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type {
  AvailabilityCache,
  Clock,
  EventPublisher,
  JobLease,
  Logger,
  SoldOutGuard,
  Stockroom,
  StockStore,
} from '@stockroom/core';
import {
  createMemoryStockStore,
  MemoryAvailabilityCache,
  MemorySoldOutGuard,
} from '@stockroom/core';
import type { Config } from './config.js';
import type { RedisEvalClient } from './rate-limit.js';

/** The store, opened from the configuration. */
export interface OpenedStore {
  readonly store: StockStore;
  /** `sqlite`, `postgres` or `memory`. */
  readonly kind: string;
  /** Where it is, without credentials. */
  readonly location: string;
}

/** Opens (and migrates) the store the configuration names. Adapters are loaded on demand. */
export async function openStore(config: Config, logger: Logger): Promise<OpenedStore> {
  const database = config.database;
  switch (database.kind) {
    case 'memory':
      return {
        store: createMemoryStockStore(),
        kind: 'memory',
        location: 'memory (nothing is kept)',
      };
    case 'sqlite': {
      const { createSqliteStockStore } = await import('@stockroom/adapter-sqlite');
      await mkdir(dirname(database.filename), { recursive: true });
      const store = await createSqliteStockStore({ filename: database.filename, logger });
      return { store, kind: 'sqlite', location: database.filename };
    }
    case 'postgres': {
      const { openPostgresStockStore } = await import('@stockroom/adapter-postgres');
      const schema = database.schema === undefined ? {} : { schema: database.schema };
      // Connects and migrates before it resolves, so a database that is down fails the start.
      const store = await openPostgresStockStore({
        connectionString: database.url,
        // Without Redis each instance caches checks in process: LISTEN/NOTIFY keeps those caches
        // coherent across instances (see chooseCache).
        ...(config.redis ? {} : { changeFeed: true }),
        ...(database.readUrl === undefined ? {} : { readConnectionString: database.readUrl }),
        logger,
        ...schema,
      });
      return { store, kind: 'postgres', location: redact(database.url) };
    }
  }
}

/** A URL without its password. */
export function redact(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

/** What Redis gives the server. */
export interface RedisBackend {
  readonly cache: AvailabilityCache;
  readonly soldOutGuard: SoldOutGuard;
  readonly jobLease: JobLease;
  /** Wraps the store so ACTIVE reservations are read from Redis. */
  wrapStore(store: StockStore): StockStore;
  /** The client, for the rate limiter. */
  readonly client: RedisEvalClient;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Connects to Redis (single node or cluster) when configured. */
export async function openRedis(
  config: Config,
  logger: Logger,
  clock: Clock,
): Promise<RedisBackend | undefined> {
  const redis = config.redis;
  if (!redis) return undefined;
  const adapterModule = await import('@stockroom/adapter-redis');
  const { Redis, Cluster } = await import('ioredis');
  const client =
    redis.kind === 'single'
      ? new Redis(redis.url, adapterModule.redisClientOptions())
      : new Cluster(
          redis.nodes.map((node) => ({ host: node.host, port: node.port })),
          adapterModule.redisClusterOptions(),
        );
  client.on('error', (error: unknown) => logger.debug({ err: error }, 'Redis connection error'));
  const adapter = adapterModule.createRedisAdapter({
    client,
    prefix: `${config.redisPrefix}:`,
    logger,
  });
  try {
    await adapter.ready(5000);
  } catch (error) {
    // Redis is never the source of truth: start without it and let it come back.
    logger.warn(
      { err: error },
      'Redis is not reachable yet; running against the store alone until it answers',
    );
  }
  return {
    cache: adapter.cache,
    soldOutGuard: adapter.soldOutGuard,
    jobLease: adapter.jobLease,
    wrapStore: (store) =>
      adapterModule.withReservationCache(store, {
        reservationCache: adapter.reservationCache,
        clock,
        logger,
      }),
    client,
    async ping() {
      await client.ping();
    },
    async close() {
      await adapter.close();
      try {
        await client.quit();
      } catch {
        client.disconnect();
      }
    },
  };
}

/** Which availability cache and sold-out guard the server runs with, and why. */
export interface CacheChoice {
  /** `redis`: shared by every instance; `in-process`: this process only; `none`: checks read the store. */
  readonly kind: 'redis' | 'in-process' | 'none';
  readonly cache: AvailabilityCache | undefined;
  readonly soldOutGuard: SoldOutGuard;
  /** Why the cache is what it is, when it is not Redis (logged at start-up). */
  readonly note?: string;
}

/**
 * Picks the availability cache. A cache may make answers faster, never older (DESIGN invariant
 * 8), so an in-process cache runs only over a store that reports other processes' commits to it
 * (`store.changes`: SQLite's data_version, PostgreSQL's LISTEN/NOTIFY change feed, which
 * `openStore` turns on without Redis) or that no other process can reach (memory). Over a store
 * without such a feed, checks read the store: there is no cache rather than one that could
 * answer with stock another instance already sold.
 */
export function chooseCache(
  store: StockStore,
  redis: RedisBackend | undefined,
  clock: Clock,
): CacheChoice {
  if (redis) return { kind: 'redis', cache: redis.cache, soldOutGuard: redis.soldOutGuard };
  const soldOutGuard = new MemorySoldOutGuard(clock);
  if (store.changes || !store.capabilities.multiProcess) {
    return { kind: 'in-process', cache: new MemoryAvailabilityCache(clock), soldOutGuard };
  }
  return {
    kind: 'none',
    cache: undefined,
    soldOutGuard,
    note: 'no availability cache: this store cannot tell this process about other instances’ writes, so an in-process cache could answer with stale stock; set REDIS_URL to cache checks in Redis',
  };
}

/** What Kafka gives the server. */
export interface KafkaBackend {
  readonly publisher: EventPublisher;
  /** Starts the order-events consumer (retrying in the background until it connects). */
  startConsumer(stockroom: Stockroom): void;
  /** Stops the consumer (first at shutdown: no new work comes in). */
  stopConsumer(): Promise<void>;
  /** Closes the publisher (last: after the final relay). */
  close(): Promise<void>;
}

/** Creates the Kafka publisher (and, on demand, the order consumer) when configured. */
export async function openKafka(
  config: Config,
  logger: Logger,
  clock: Clock,
): Promise<KafkaBackend | undefined> {
  const kafkaConfig = config.kafka;
  if (!kafkaConfig) return undefined;
  const { createKafkaClient, createKafkaPublisher, OrderEventsConsumer } = await import(
    '@stockroom/adapter-kafka'
  );
  const kafka = createKafkaClient({
    brokers: [...kafkaConfig.brokers],
    clientId: kafkaConfig.clientId,
    logger,
  });
  // Not connected here: an unreachable cluster must not stop the server; events wait in the
  // outbox and /readyz reports the publisher down until Kafka answers.
  const publisher = await createKafkaPublisher({ kafka, logger, connect: false });
  let consumer: InstanceType<typeof OrderEventsConsumer> | undefined;
  let retry: NodeJS.Timeout | undefined;
  let closed = false;
  const stopConsumer = async () => {
    closed = true;
    clearTimeout(retry);
    await consumer
      ?.close()
      .catch((error: unknown) => logger.warn({ err: error }, 'consumer close failed'));
  };
  return {
    publisher,
    startConsumer(stockroom) {
      const attempt = () => {
        if (closed) return;
        consumer = new OrderEventsConsumer({
          kafka,
          groupId: `${kafkaConfig.clientId}-orders`,
          stockroom,
          clock,
          logger,
        });
        consumer.start().then(
          () => logger.info({}, 'order-events consumer started'),
          (error: unknown) => {
            logger.warn({ err: error }, 'order-events consumer could not start; retrying in 10 s');
            retry = setTimeout(attempt, 10_000);
            retry.unref();
          },
        );
      };
      attempt();
    },
    stopConsumer,
    async close() {
      await stopConsumer();
      await publisher.close();
    },
  };
}
