import type { ChannelDirectory } from '../channels/channel-directory.js';
import type { LockingPolicy } from '../concurrency/locking-policy.js';
import type { RetryPolicy, RetryStats } from '../concurrency/retry-policy.js';
import type { WriteLanes } from '../concurrency/write-lanes.js';
import type { StockSettings } from '../domain/inventory-stock.js';
import type { Warehouse } from '../domain/warehouse.js';
import type { KitDirectory } from '../kits/kit-directory.js';
import type {
  AvailabilityCache,
  CachedAvailability,
  SoldOutGuard,
} from '../ports/availability-cache.js';
import type { Clock } from '../ports/clock.js';
import type { IdGenerator } from '../ports/id-generator.js';
import type { Logger } from '../ports/logger.js';
import type { StockStore, StockTransaction, TransactionOptions } from '../ports/stock-store.js';
import type { SellabilitySettings } from '../sellability/sellability-settings.js';
import type { KeyedCommands } from './keyed-commands.js';
import type { PendingWrites } from './pending-writes.js';

/** Counters the services keep; the example server exports them as metrics. */
export interface StockroomStats {
  reservations: { admitted: number; refused: number; failed: number };
  batches: { count: number; requests: number; largest: number };
  conflicts: number;
  retries: number;
  soldOutRefusals: number;
  /**
   * Availability cache: `hits` answered from the cache, `coalesced` shared a store read already
   * in flight for the same SKU, `misses` read the store, `errors` cache failures.
   */
  cache: { hits: number; misses: number; coalesced: number; errors: number };
}

/** Everything a service needs, built once by `createStockroom`. */
export interface ServiceContext {
  readonly store: StockStore;
  readonly cache: AvailabilityCache | undefined;
  readonly soldOutGuard: SoldOutGuard | undefined;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly logger: Logger;
  readonly retryPolicy: RetryPolicy;
  readonly lockingPolicy: LockingPolicy;
  readonly source: string;
  readonly defaultStockSettings: StockSettings;
  /** Stockroom-wide selling rules (default cart limits). */
  readonly sellability: SellabilitySettings;
  readonly cacheTtlMs: number;
  readonly soldOutTtlMs: number;
  readonly stats: StockroomStats;
  /** Runs `work` in a store transaction under the retry policy. */
  transact<T>(
    work: (transaction: StockTransaction) => Promise<T>,
    options?: TransactionOptions,
    retryStats?: RetryStats,
  ): Promise<T>;
  /** One writer per SKU per process: the lanes every stock write of a command goes through. */
  readonly lanes: WriteLanes;
  /** Replays keyed commands before they take locks; shares concurrent calls with one key. */
  readonly keyed: KeyedCommands;
  /**
   * Applies the commits other processes made to the store to an in-process cache (and to the
   * warehouse list) before it answers. Resolves once every commit that completed before the call
   * is accounted for. Never throws.
   */
  syncWithStore(): Promise<void>;
  /** Warehouses for availability checks, kept in process while the directory stamp holds. */
  readonly warehouseDirectory: { list(): Promise<readonly Warehouse[]> };
  /** Sales channels kept in process (they live as long as the warehouse list). */
  readonly channelDirectory?: ChannelDirectory;
  /** Kit definitions kept in process (they live as long as the warehouse list). */
  readonly kitDirectory?: KitDirectory;
  /** After a warehouse change committed: every process's warehouse list is stale. Never throws. */
  warehousesChanged(): Promise<void>;
  /**
   * The writes of this process between their pending mark and their cache update (checks wait
   * for them); absent without a cache.
   */
  readonly pendingWrites?: PendingWrites;
  /** After a commit: forget cached availability and clear sold-out marks. Never throws. */
  afterCommit(effects: CommitEffects): Promise<void>;
}

/** What a committed change means for the cache and the sold-out guard. */
export interface CommitEffects {
  /** SKUs whose stock changed. */
  readonly touched: readonly string[];
  /** SKUs that gained availability (clear their sold-out marks). */
  readonly replenished: readonly string[];
  /** SKUs now with nothing available anywhere (mark them sold out). */
  readonly soldOut: readonly string[];
  /**
   * Every row of some touched SKUs as this commit left them (written through the cache). Valid
   * for the one commit that produced it: effects merged from several commits must leave it out
   * (their SKUs are then invalidated blind).
   */
  readonly values?: readonly CachedAvailability[];
}
