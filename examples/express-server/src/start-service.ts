import { once } from 'node:events';
import { mkdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type Clock,
  createStockroom,
  type EventPublisher,
  MemoryJobLease,
  type Stockroom,
  systemClock,
} from '@stockroom/core';
import { type Logger as PinoLogger, pino } from 'pino';
import { createRequestListener, type ReadinessComponent } from './app.js';
import { type ApiKeyEntry, ensureAdminKey } from './auth.js';
import {
  chooseCache,
  type KafkaBackend,
  type OpenedStore,
  openKafka,
  openRedis,
  openStore,
  type RedisBackend,
} from './backends.js';
import type { Config } from './config.js';
import { seedDemoData } from './demo-data.js';
import { EventFeed } from './event-feed.js';
import { JobRunner, oncePerPeriod, stockroomJobs } from './jobs.js';
import { FileBackedApiKeyRing } from './key-file-ring.js';
import { LoggingEventPublisher } from './logging-event-publisher.js';
import { ServerMetrics } from './metrics.js';
import { MemoryRateLimiter, type RateLimiter, RedisRateLimiter } from './rate-limit.js';
import { ReconcileReports } from './reconcile-report.js';

/** What tests (or an embedding program) may replace. */
export interface ServiceOverrides {
  /** Drives reservation expiry, leases and rate-limit windows. @default the system clock */
  readonly clock?: Clock;
  /** @default a pino logger at `config.logLevel` on stdout */
  readonly logger?: PinoLogger;
  /** Replaces the Kafka or logging publisher. */
  readonly publisher?: EventPublisher;
  /** Checks every success body against its schema. @default false */
  readonly checkResponses?: boolean;
  /**
   * Serve plain requests of the API's parameterless routes without Express (the same answers;
   * see `createRequestListener`). `false` leaves every request to the Express app. @default true
   */
  readonly directRoutes?: boolean;
}

/** A running server. */
export interface RunningService {
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  readonly stockroom: Stockroom;
  readonly jobs: JobRunner;
  readonly metrics: ServerMetrics;
  readonly logger: PinoLogger;
  /** The last reconciliation's report (also at GET /api/v1/admin/reconciliation). */
  readonly reconcileReports: ReconcileReports;
  /** The generated admin key, when no keys were configured; `created` on its first start. */
  readonly adminKey:
    | { readonly key: string; readonly created: boolean; readonly path: string }
    | undefined;
  /**
   * Graceful shutdown: stop accepting, finish in-flight requests (up to the shutdown timeout),
   * stop the jobs, run the relay once more, close the consumer, publisher, store and Redis.
   * Idempotent.
   */
  close(): Promise<void>;
}

/**
 * One readable line for an error that stopped the start: its message and those of its causes
 * (`PostgreSQL is unavailable (SQLSTATE 3D000): database "shop" does not exist`), so the cause
 * is on the line a user reads, not only in the JSON log.
 */
export function describeStartupFailure(error: unknown): string {
  const messages: string[] = [];
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current !== undefined && current !== null && !seen.has(current)) {
    seen.add(current);
    const message =
      current instanceof Error
        ? current.message ||
          ((current as { code?: unknown }).code === undefined
            ? current.name
            : String((current as { code?: unknown }).code))
        : String(current);
    if (message && !messages.some((known) => known.includes(message))) messages.push(message);
    current = current instanceof Error ? current.cause : undefined;
  }
  return messages.join(': ');
}

/** The server's version (kept in step with package.json). */
export const VERSION = '0.1.0';

/** Builds everything from the configuration and listens. */
export async function startService(
  config: Config,
  overrides: ServiceOverrides = {},
): Promise<RunningService> {
  const clock = overrides.clock ?? systemClock;
  const logger =
    overrides.logger ??
    pino({
      level: config.logLevel,
      base: { service: 'stockroom' },
      redact: ['req.headers.authorization', 'req.headers.cookie'],
    });
  await mkdir(config.dataDir, { recursive: true });

  const opened = await openStore(config, logger);
  let redis: RedisBackend | undefined;
  let kafka: KafkaBackend | undefined;
  try {
    redis = await openRedis(config, logger, clock);
    kafka = overrides.publisher ? undefined : await openKafka(config, logger, clock);
    return await assemble(config, overrides, { logger, clock, opened, redis, kafka });
  } catch (error) {
    // Whatever failed (a bad key file, a port in use…), release what was opened.
    await kafka?.close().catch(() => {});
    await redis?.close().catch(() => {});
    await opened.store.close().catch(() => {});
    throw error;
  }
}

async function assemble(
  config: Config,
  overrides: ServiceOverrides,
  parts: {
    readonly logger: PinoLogger;
    readonly clock: Clock;
    readonly opened: OpenedStore;
    readonly redis: RedisBackend | undefined;
    readonly kafka: KafkaBackend | undefined;
  },
): Promise<RunningService> {
  const { logger, clock, opened, redis, kafka } = parts;
  // Delivered events also feed the dashboard's live stream.
  const events = new EventFeed();
  const publisher: EventPublisher = events.wrap(
    overrides.publisher ?? kafka?.publisher ?? new LoggingEventPublisher(logger),
  );

  // Without Redis the cache and the sold-out guard live in this process (see chooseCache).
  const caching = chooseCache(opened.store, redis, clock);
  if (caching.note) logger.warn({ store: opened.kind }, caching.note);
  const stockroom = createStockroom({
    store: redis ? redis.wrapStore(opened.store) : opened.store,
    ...(caching.cache ? { cache: caching.cache } : {}),
    soldOutGuard: caching.soldOutGuard,
    publisher,
    clock,
    logger,
    policies: {
      reservations: config.reservations,
    },
  });

  let adminKey: RunningService['adminKey'];
  let entries: readonly ApiKeyEntry[] = config.apiKeys;
  if (entries.length === 0) {
    adminKey = await ensureAdminKey(config.dataDir);
    entries = [{ key: adminKey.key, role: 'admin' }];
  }
  if (config.demo) {
    const seeded = await seedDemoData(stockroom);
    if (seeded.seeded) logger.info(seeded, 'demo data loaded');
  }

  const reconcileReports = new ReconcileReports();
  const routing = opened.store as {
    readonly replicaStats?: { replicaReads: number; primaryReads: number; lagBytes: number };
  };
  const metrics = new ServerMetrics(stockroom, clock, logger, {
    reconcileReports,
    ...(routing.replicaStats ? { replica: () => routing.replicaStats } : {}),
  });
  const jobs = new JobRunner(
    stockroomJobs(stockroom, {
      reconcileRepair: config.reconcileRepair,
      schedules: config.schedules,
      reconcileReports,
      logger,
      clock,
    }),
    redis?.jobLease ?? new MemoryJobLease(clock),
    logger,
    metrics,
    { clock, periodic: oncePerPeriod(stockroom) },
  );
  const limiter: RateLimiter | undefined =
    config.rateLimitPerMinute === 0
      ? undefined
      : redis
        ? new RedisRateLimiter(redis.client, config.redisPrefix, config.rateLimitPerMinute, logger)
        : new MemoryRateLimiter(config.rateLimitPerMinute, clock);
  const readiness: ReadinessComponent[] = [
    redis
      ? { name: 'cache', kind: 'redis', check: () => redis.ping() }
      : { name: 'cache', kind: caching.kind, check: async () => {} },
    {
      name: 'publisher',
      kind: overrides.publisher ? 'custom' : kafka ? 'kafka' : 'logging',
      ...(publisher.ping ? { check: () => publisher.ping!() } : {}),
    },
  ];
  let shuttingDown = false;
  const listener = createRequestListener({
    stockroom,
    keys: new FileBackedApiKeyRing(entries, config.dataDir, logger),
    keyBindings: config.keyBindings,
    jobs,
    metrics,
    logger,
    clock,
    readiness,
    version: VERSION,
    maxReservationSeconds: config.reservations.maxLifetimeSeconds,
    reconcileReports,
    isShuttingDown: () => shuttingDown,
    checkResponses: overrides.checkResponses ?? false,
    events,
    ...(limiter ? { rateLimit: { limiter, perMinute: config.rateLimitPerMinute } } : {}),
    ...(overrides.directRoutes === undefined ? {} : { directRoutes: overrides.directRoutes }),
  });

  const server = createServer(listener);
  if (config.host === undefined) server.listen(config.port);
  else server.listen(config.port, config.host);
  // Keep-alive longer than typical load balancers' idle timeouts, so they close first.
  server.keepAliveTimeout = 65_000;
  try {
    await once(server, 'listening');
  } catch (error) {
    await jobs.stop();
    await stockroom.close();
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  if (config.jobs) jobs.start();
  kafka?.startConsumer(stockroom);
  logger.info(
    {
      port,
      store: `${opened.kind}: ${opened.location}`,
      cache: caching.kind,
      publisher: kafka ? 'kafka' : overrides.publisher ? 'custom' : 'logging',
      keys: entries.length,
      rateLimitPerMinute: config.rateLimitPerMinute,
      jobs: config.jobs,
    },
    'stockroom listening',
  );

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      shuttingDown = true;
      logger.info({}, 'shutting down');
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive connections become idle as their last response goes out: close them then.
      const sweep = setInterval(() => server.closeIdleConnections(), 50);
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), config.shutdownTimeoutMs);
      await stopped;
      clearInterval(sweep);
      clearTimeout(timer);
      await jobs.stop();
      await kafka?.stopConsumer();
      try {
        const published = (await stockroom.relay?.drain()) ?? 0;
        if (published > 0) logger.info({ published }, 'outbox drained');
      } catch (error) {
        logger.warn({ err: error }, 'last outbox relay failed; the events stay in the outbox');
      }
      await publisher
        .close?.()
        ?.catch((error: unknown) => logger.warn({ err: error }, 'publisher close failed'));
      await stockroom.close();
      await redis?.close();
      logger.info({}, 'stopped');
    })();
    return closing;
  };

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    server,
    stockroom,
    jobs,
    metrics,
    logger,
    reconcileReports,
    adminKey,
    close,
  };
}
