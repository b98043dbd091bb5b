import { CartCheckService } from './cart/cart-check-service.js';
import { ChannelDirectory } from './channels/channel-directory.js';
import { ChannelService } from './channels/channel-service.js';
import { type LockingPolicy, pessimisticEverywhere } from './concurrency/locking-policy.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy, withRetry } from './concurrency/retry-policy.js';
import { WriteLanes } from './concurrency/write-lanes.js';
import { DEFAULT_STOCK_SETTINGS, type StockSettings } from './domain/inventory-stock.js';
import type { ChangeContext } from './domain/movement.js';
import { defaultIdGenerator } from './domain/uuid7.js';
import { ValidationError } from './errors/validation-error.js';
import { KitDirectory } from './kits/kit-directory.js';
import { KitService } from './kits/kit-service.js';
import { OutboxRelay } from './outbox/outbox-relay.js';
import type { AvailabilityCache, SoldOutGuard } from './ports/availability-cache.js';
import { type Clock, systemClock } from './ports/clock.js';
import type { EventPublisher } from './ports/event-publisher.js';
import type { IdGenerator } from './ports/id-generator.js';
import { type Logger, silentLogger } from './ports/logger.js';
import type { StockStore } from './ports/stock-store.js';
import { IncomingService } from './preorders/incoming-service.js';
import { ReservationService } from './reservations/reservation-service.js';
import {
  DEFAULT_RESERVATION_SETTINGS,
  type ReservationSettings,
} from './reservations/reservation-settings.js';
import {
  DEFAULT_SELLABILITY_SETTINGS,
  type SellabilitySettings,
} from './sellability/sellability-settings.js';
import { SkuPolicyService } from './sellability/sku-policy-service.js';
import { AdjustmentService } from './services/adjustment-service.js';
import { AlertService } from './services/alert-service.js';
import { AvailabilityService } from './services/availability-service.js';
import { BULK_BATCH_SIZE } from './services/bulk-update.js';
import { applyCommitEffects } from './services/cache-write-through.js';
import { HistoryService } from './services/history-service.js';
import { KeyedCommands } from './services/keyed-commands.js';
import { OrderSaga } from './services/order-saga.js';
import { PendingWrites } from './services/pending-writes.js';
import { ReconciliationService } from './services/reconciliation-service.js';
import { ReplenishmentService } from './services/replenishment-service.js';
import { resilientCache, resilientGuard } from './services/resilient-cache.js';
import type { CommitEffects, ServiceContext, StockroomStats } from './services/service-context.js';
import { StoreCoherence } from './services/store-coherence.js';
import { TransferService } from './services/transfer-service.js';
import { WarehouseService } from './services/warehouse-service.js';

/** Tuning knobs, all optional. */
export interface StockroomPolicies {
  /**
   * Retries of internal races (deadlocks, serialization failures, busy stores, lost guarded
   * writes). @default no attempt count, 2–100 ms full-jitter backoff, 30 s deadline
   */
  readonly retry?: Partial<RetryPolicy>;
  /**
   * Row locks or version checks alone, per SKU. @default pessimistic everywhere (rows are locked
   * in canonical order by the writes that change them)
   */
  readonly locking?: LockingPolicy;
  /** Reservation TTLs and batching. */
  readonly reservations?: Partial<ReservationSettings>;
  /** Settings of rows created without explicit ones. @default threshold 10, reorder point 20, no max */
  readonly defaultStockSettings?: Partial<StockSettings>;
  /** Availability cache TTL in ms. @default 60000 */
  readonly cacheTtlMs?: number;
  /**
   * How long a shared cache's "write pending" mark lives when its writer never clears it (a
   * process that died between a write's COMMIT and its cache update). @default 10000
   */
  readonly pendingWriteTtlMs?: number;
  /**
   * How long a check waits for a write of this process that is committing the same SKU (then it
   * reads the store). @default 100
   */
  readonly pendingWriteWaitMs?: number;
  /** How long a sold-out mark may refuse requests without a store round trip. @default 2000 */
  readonly soldOutTtlMs?: number;
  /**
   * How the outbox relay holds its batch while publishing; see `OutboxRelayOptions.mode`.
   * @default 'unlocked' on a store whose `capabilities.singleWriter` is true, else 'locked'
   */
  readonly relayMode?: 'locked' | 'unlocked';
  /**
   * The longest the in-process warehouse list used by checks is reused. It is dropped sooner,
   * at once, by every warehouse change (through any process: see the cache's directory stamp
   * and the store's change feed). @default 5000
   */
  readonly warehouseCacheMs?: number;
  /**
   * Items per chunk (one store transaction each, unless atomic) of `adjustments.bulkUpdate`.
   * What a chunk holds lives across its writes, so larger chunks send more to V8's old
   * generation, whose limit then grows the process: a streamed import of 1,000,000 rows on
   * SQLite grew it by 60–71 MB with chunks of 500, by 61–109 MB with chunks of 1,000 and by
   * 105–140 MB with chunks of 2,000 (10–15 % more CPU at 500 than at 2,000); on PostgreSQL,
   * with two chunks in flight, by 75–87 MB with chunks of 1,000 (10 % faster than 500) against
   * 106–117 MB with chunks of 2,000. A retry of an unfinished import with the same idempotency
   * key replays its committed chunks by number and cuts its items at the size (and with the SKU
   * separation) its first attempt recorded, whatever this setting says now.
   * @default 1000 on a store that takes concurrent writers (PostgreSQL), 500 on a single-writer
   *   store (SQLite, memory), whose process runs the database as well
   */
  readonly bulkBatchSize?: number;
  /**
   * Chunk transactions of a non-atomic `adjustments.bulkUpdate` in flight at once. With 2 the
   * next chunk is read, planned and written while the one before is being written; two chunks
   * in flight never share a SKU. On a store that runs one writer at a time (SQLite, memory) the
   * second chunk only waits for the first, so it cannot help there.
   * @default 2 on a store that takes concurrent writers (`multiProcess`, not `singleWriter`), else 1
   */
  readonly bulkChunksInFlight?: 1 | 2;
  /**
   * Route every command's stock writes through its SKU's lane, batching what meets there into
   * one transaction (`reservations.lanes` lanes, `reservations.maxBatchSize` per batch). `false`
   * batches reserve requests only and runs every other command in a transaction of its own, as
   * before (for comparisons). @default true
   */
  readonly writeLanes?: boolean;
  /** Stockroom-wide selling rules (default cart limits); per-SKU policies override them. */
  readonly sellability?: Partial<SellabilitySettings>;
}

/** What `createStockroom` takes: a store, and optionally every other port. */
export interface StockroomOptions {
  /** The source of truth (memory, SQLite or Postgres). */
  readonly store: StockStore;
  /** Availability cache; failures are treated as misses. */
  readonly cache?: AvailabilityCache;
  /** Sold-out guard for flash sales; failures read as "not sold out". */
  readonly soldOutGuard?: SoldOutGuard;
  /** Where the outbox relay delivers events. Without one, events wait in the outbox. */
  readonly publisher?: EventPublisher;
  readonly clock?: Clock;
  readonly ids?: IdGenerator;
  /** A pino-compatible logger. @default silent */
  readonly logger?: Logger;
  readonly policies?: StockroomPolicies;
  /** The CloudEvents `source` of emitted events. @default 'stockroom' */
  readonly source?: string;
}

/** The services a host application calls. */
export interface Stockroom {
  readonly availability: AvailabilityService;
  readonly adjustments: AdjustmentService;
  readonly reservations: ReservationService;
  /** Whole-cart checks: a dry run of reservation admission (see `CartCheckService`). */
  readonly carts: CartCheckService;
  readonly orders: OrderSaga;
  readonly warehouses: WarehouseService;
  /** Sales channels: named sets of warehouses that checks and reservations may be limited to. */
  readonly channels: ChannelService;
  /** Kits and bundles: SKUs made of other SKUs, checked and reserved through their components. */
  readonly kits: KitService;
  /** Transfers between warehouses: create, ship, receive, cancel. */
  readonly transfers: TransferService;
  /** Incoming stock (expected receipts) and the preorders taken from it. */
  readonly incoming: IncomingService;
  /** Low-stock alerts: the periodic evaluation, acknowledgement, listing. */
  readonly alerts: AlertService;
  /** Ledger and holds reconciliation, with opt-in repair. */
  readonly reconciliation: ReconciliationService;
  /** Demand forecasts and reorder suggestions. */
  readonly replenishment: ReplenishmentService;
  /** Ledger retention: archiving movements that checkpoints cover, and the archive horizon. */
  readonly history: HistoryService;
  /** Per-SKU selling policies: cart limits. */
  readonly skuPolicies: SkuPolicyService;
  /** Drains the outbox to the publisher; undefined without a publisher. */
  readonly relay: OutboxRelay | undefined;
  readonly store: StockStore;
  /** Counters for metrics. */
  readonly stats: StockroomStats;
  /** Deletes idempotency records older than `olderThanMs` (default 24 h). @returns how many */
  purgeIdempotencyKeys(olderThanMs?: number): Promise<number>;
  /**
   * Runs `work` at most once per idempotency key (`context.idempotencyKey` in
   * `context.idempotencyScope`) across every process sharing the store, for host operations that
   * are not one stockroom command (a job run): the key is claimed, `work` runs, its result is
   * stored; concurrent and later calls with the key and the same `operation` and `request` get
   * that result (`context.onReplay` is called). Without a key, `work` simply runs.
   * @throws IDEMPOTENCY_KEY_REUSED when the key was used for another request
   */
  runOnce<T>(
    operation: string,
    request: unknown,
    context: ChangeContext,
    work: () => Promise<T>,
  ): Promise<T>;
  /** Closes the store and the cache (what `createStockroom` was given). Idempotent. */
  close(): Promise<void>;
}

/**
 * The composition root: ports in, services out.
 *
 * @example
 * ```ts
 * const stockroom = createStockroom({ store: createMemoryStockStore() });
 * await stockroom.warehouses.create({ id: 'paris', name: 'Paris' });
 * await stockroom.adjustments.adjust({ sku: 'SKU-1', warehouseId: 'paris', type: 'RESTOCK', quantity: 10 });
 * const hold = await stockroom.reservations.reserve({ items: [{ sku: 'SKU-1', quantity: 2 }] });
 * await stockroom.reservations.commit(hold.id);
 * ```
 */
export function createStockroom(options: StockroomOptions): Stockroom {
  if (typeof (options.store as unknown as { then?: unknown })?.then === 'function') {
    // A common slip: `createStockroom({ store: createSqliteStockStore(…) })` without `await`.
    throw new ValidationError([
      {
        path: 'store',
        message:
          'is a Promise: await the store factory first (const store = await createSqliteStockStore(…))',
      },
    ]);
  }
  const logger = options.logger ?? silentLogger;
  const clock = options.clock ?? systemClock;
  const policies = options.policies ?? {};
  const retryPolicy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...policies.retry };
  const stats: StockroomStats = {
    reservations: { admitted: 0, refused: 0, failed: 0 },
    batches: { count: 0, requests: 0, largest: 0 },
    conflicts: 0,
    retries: 0,
    soldOutRefusals: 0,
    cache: { hits: 0, misses: 0, coalesced: 0, errors: 0 },
  };
  const cache = options.cache ? resilientCache(options.cache, logger, stats.cache) : undefined;
  const guard = options.soldOutGuard
    ? resilientGuard(options.soldOutGuard, logger, stats.cache)
    : undefined;
  const soldOutTtlMs = policies.soldOutTtlMs ?? 2000;
  const coherence = new StoreCoherence({
    store: options.store,
    cache,
    soldOutGuard: guard,
    logger,
    warehouseCacheMs: policies.warehouseCacheMs ?? 5000,
  });
  const keyed = new KeyedCommands(options.store, clock, retryPolicy);
  const reservationSettings: ReservationSettings = {
    ...DEFAULT_RESERVATION_SETTINGS,
    ...policies.reservations,
  };
  const concurrentWriters =
    options.store.capabilities.multiProcess && !options.store.capabilities.singleWriter;
  const lanes = new WriteLanes(
    (work) => context.transact(work),
    Math.max(1, Math.trunc(reservationSettings.lanes)),
    Math.max(1, Math.trunc(reservationSettings.maxBatchSize)),
    stats.batches,
    {
      commands: policies.writeLanes ?? true,
      // Several only where the store's row locks let writers of other rows through.
      batchesInFlight: concurrentWriters ? (reservationSettings.batchesInFlight ?? 2) : 1,
      // A one-writer store's batch gives the event loop no turn while it runs (SQLite's driver
      // is synchronous): callers it answered over HTTP come back after it, one by one.
      gather: !concurrentWriters,
    },
  );
  // An in-process mark may only refuse a request once other processes' commits are applied
  // (a restock elsewhere clears it). "Not sold out" needs no such check: it sends the request
  // to the store, which decides.
  const soldOutGuard: SoldOutGuard | undefined =
    guard?.scope === 'process' && options.store.changes
      ? {
          ...guard,
          async isSoldOut(sku) {
            if (!(await guard.isSoldOut(sku))) return false;
            await coherence.sync();
            return guard.isSoldOut(sku);
          },
        }
      : guard;
  const pendingWrites = new PendingWrites({
    cache,
    cacheTtlMs: policies.cacheTtlMs ?? 60_000,
    markTtlMs: policies.pendingWriteTtlMs ?? 10_000,
    waitMs: policies.pendingWriteWaitMs ?? 100,
  });
  const channelDirectory = new ChannelDirectory(options.store, () => coherence.warehouses());
  const kitDirectory = new KitDirectory(
    options.store,
    () => coherence.warehouses(),
    () => context.transact(async (transaction) => (await transaction.kits?.list()) ?? []),
  );
  const context: ServiceContext = {
    pendingWrites,
    channelDirectory,
    kitDirectory,
    keyed,
    lanes,
    store: options.store,
    cache,
    soldOutGuard,
    clock,
    ids: options.ids ?? defaultIdGenerator(),
    logger,
    retryPolicy,
    lockingPolicy: policies.locking ?? pessimisticEverywhere,
    source: options.source ?? 'stockroom',
    defaultStockSettings: { ...DEFAULT_STOCK_SETTINGS, ...policies.defaultStockSettings },
    sellability: { ...DEFAULT_SELLABILITY_SETTINGS, ...policies.sellability },
    cacheTtlMs: policies.cacheTtlMs ?? 60_000,
    soldOutTtlMs,
    stats,
    transact: (work, transactionOptions, retryStats) =>
      withRetry(
        retryPolicy,
        (attempt) => {
          if (attempt > 0) stats.retries += 1;
          if (retryStats) retryStats.attempts += 1;
          return pendingWrites.run(options.store, work, transactionOptions);
        },
        {
          onConflict: () => {
            stats.conflicts += 1;
            if (retryStats) retryStats.conflicts += 1;
          },
        },
      ),
    afterCommit: (effects: CommitEffects) => applyCommitEffects(context, effects),
    syncWithStore: () => coherence.sync(),
    warehouseDirectory: { list: () => coherence.warehouses() },
    warehousesChanged: () => coherence.warehousesChanged(),
  };

  const reservations = new ReservationService(context, reservationSettings);
  const relay = options.publisher
    ? new OutboxRelay({
        store: options.store,
        publisher: options.publisher,
        logger,
        // A single-writer store (SQLite) must not hold its one write lock through a publish.
        mode:
          policies.relayMode ?? (options.store.capabilities.singleWriter ? 'unlocked' : 'locked'),
      })
    : undefined;
  let closed: Promise<void> | undefined;

  const bulkChunksInFlight =
    (policies.bulkChunksInFlight ?? (concurrentWriters ? 2 : 1)) === 2 ? 2 : 1;
  return {
    availability: new AvailabilityService(context),
    adjustments: new AdjustmentService(context, {
      // A single-writer store runs its database in this process too: half the items per chunk.
      bulkBatchSize: Math.max(
        1,
        Math.trunc(
          policies.bulkBatchSize ?? (concurrentWriters ? BULK_BATCH_SIZE : BULK_BATCH_SIZE / 2),
        ),
      ),
      bulkChunksInFlight,
    }),
    reservations,
    carts: new CartCheckService(context, { maxItems: reservationSettings.maxItems }),
    orders: new OrderSaga(context, reservations),
    warehouses: new WarehouseService(context),
    channels: new ChannelService(context, channelDirectory),
    kits: new KitService(context, kitDirectory),
    transfers: new TransferService(context),
    incoming: new IncomingService(context),
    alerts: new AlertService(context),
    reconciliation: new ReconciliationService(context),
    replenishment: new ReplenishmentService(context),
    history: new HistoryService(context),
    skuPolicies: new SkuPolicyService(context, context.sellability),
    relay,
    store: options.store,
    stats,
    purgeIdempotencyKeys: (olderThanMs = 24 * 60 * 60 * 1000) =>
      options.store.transaction((transaction) =>
        transaction.idempotency.purge(new Date(clock.now().getTime() - olderThanMs)),
      ),
    runOnce: (operation, request, changeContext, work) =>
      keyed.runOnce(changeContext, `host:${operation}`, request, work),
    close() {
      closed ??= (async () => {
        await options.store.close();
        await options.cache?.close?.();
      })();
      return closed;
    },
  };
}
