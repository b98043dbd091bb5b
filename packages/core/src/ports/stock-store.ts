import type { ChannelRows } from '../channels/channel-rows.js';
import type { CloudEvent } from '../domain/events.js';
import type {
  InventoryStock,
  StockDeltas,
  StockKey,
  StockSettings,
} from '../domain/inventory-stock.js';
import type { LowStockAlert } from '../domain/low-stock-alert.js';
import type { Movement } from '../domain/movement.js';
import type { Reservation, ReservationStatus } from '../domain/reservation.js';
import type { Transfer, TransferStatus } from '../domain/transfer.js';
import type { Warehouse } from '../domain/warehouse.js';
import type { HistoryReads, HistoryRows } from './history.js';
import type { Page, PageRequest } from './page.js';
import type { SkuPolicyRows } from './sku-policies.js';
import type { StoreChangeFeed } from './store-changes.js';

/**
 * The outcome of a guarded write. Writes report a lost race as data; the core decides whether
 * to roll back and retry.
 */
export type WriteOutcome = { readonly applied: true } | { readonly applied: false };

/** A versioned write of one stock row. */
export interface StockWrite {
  /** The row as the transaction read it (its `version` is the expected version). */
  readonly before: InventoryStock;
  /** The row to store; `next.version > before.version`. */
  readonly next: InventoryStock;
  /** `next - before` per bucket, for adapters that write `available = available + delta`. */
  readonly deltas: StockDeltas;
}

/** A stored idempotency record: the first result of a keyed command. */
export interface IdempotencyRecord {
  readonly scope: string;
  readonly key: string;
  /** A hash of the command name and its request; a different fingerprint is a key reuse. */
  readonly fingerprint: string;
  /** The command's result as JSON text. */
  readonly result: string;
  readonly createdAt: Date;
}

/** What a store can do, declared as data so the core picks a strategy and tests skip with a reason. */
export interface StoreCapabilities {
  /** `stock.read(…, { lock: true })` takes row locks that block other writers (SELECT … FOR UPDATE). */
  readonly lockingReads: boolean;
  /** Claims (`claimDue`, `outbox.claim`) skip rows another transaction holds (FOR UPDATE SKIP LOCKED). */
  readonly skipLocked: boolean;
  /** Several processes may share the store (false for the in-memory store). */
  readonly multiProcess: boolean;
}

/** Stock rows inside a transaction. */
export interface StockRows {
  /**
   * Every row of the given SKUs (all warehouses), sorted by (sku, warehouseId). With `lock`,
   * the rows are locked in that canonical order until the transaction ends.
   */
  read(skus: readonly string[], options?: { readonly lock?: boolean }): Promise<InventoryStock[]>;
  /** One row, or null. With `lock`, locked until the transaction ends. */
  get(key: StockKey, options?: { readonly lock?: boolean }): Promise<InventoryStock | null>;
  /** Inserts a new row. `{ applied: false }` when a row with that key exists (a concurrent insert won). */
  insert(row: InventoryStock): Promise<WriteOutcome>;
  /**
   * Writes each row's quantities, `total`, `version`, `lastRestockedAt`, `lastSoldAt` and
   * `updatedAt` (never its settings: see `updateSettings`) where its stored version still equals
   * `before.version` (and every quantity
   * stays non-negative). All or nothing: `{ applied: false }` when any row's version moved; the
   * caller then rolls back. Rows in `unchanged` are not written but must still be at the version
   * given, which stops write skew between rows of one SKU.
   */
  update(
    writes: readonly StockWrite[],
    unchanged?: readonly InventoryStock[],
  ): Promise<WriteOutcome>;
  /** Writes a row's settings only (they are not part of the ledger and do not bump `version`). */
  updateSettings(key: StockKey, settings: StockSettings, now: Date): Promise<WriteOutcome>;
  /** Sum of `total` over a warehouse's rows (its occupancy). */
  occupancy(warehouseId: string): Promise<number>;
}

/** Reservations inside a transaction. */
export interface ReservationRows {
  /** Reservations by id (missing ones are left out). With `lock`, locked until the transaction ends. */
  get(ids: readonly string[], options?: { readonly lock?: boolean }): Promise<Reservation[]>;
  /** Inserts new reservations with their lines. */
  insert(reservations: readonly Reservation[]): Promise<void>;
  /** Stores `next` where the stored version equals `expectedVersion`; `{ applied: false }` otherwise. */
  update(next: Reservation, expectedVersion: number): Promise<WriteOutcome>;
  /**
   * `update` for several reservations in one round trip; `{ applied: false }` when any stored
   * version moved (the caller then rolls back). Optional: without it, `update` runs per item.
   */
  updateMany?(
    items: readonly { readonly next: Reservation; readonly expectedVersion: number }[],
  ): Promise<WriteOutcome>;
  /**
   * Up to `limit` ACTIVE reservations with `expiresAt <= now`, oldest expiry first, locked.
   * Where `capabilities.skipLocked`, rows locked by another transaction are skipped, so two
   * sweepers never claim the same reservation.
   */
  claimDue(now: Date, limit: number): Promise<Reservation[]>;
  /** Every reservation of an order, oldest first. */
  listByOrder(orderId: string): Promise<Reservation[]>;
}

/** The ledger inside a transaction: append only. */
export interface LedgerRows {
  /** Appends movements (ids are unique; a duplicate id is a bug and throws). */
  append(movements: readonly Movement[]): Promise<void>;
}

/** A stored outbox event; `position` orders the outbox (assigned by the store, increasing). */
export interface OutboxEntry {
  readonly position: string;
  readonly event: CloudEvent;
  readonly attempts: number;
}

/** The transactional outbox. */
export interface OutboxRows {
  /** Appends events, in order, in the caller's transaction. */
  append(events: readonly CloudEvent[]): Promise<void>;
  /**
   * Up to `limit` undelivered entries, oldest first, locked until the transaction ends; with
   * `capabilities.skipLocked`, entries locked by another transaction are skipped.
   */
  claim(limit: number): Promise<OutboxEntry[]>;
  /** Removes delivered entries by event id. */
  markDelivered(eventIds: readonly string[]): Promise<void>;
  /** Counts a failed delivery attempt on each entry. */
  markFailed(eventIds: readonly string[]): Promise<void>;
}

/** Idempotency records inside a transaction. */
export interface IdempotencyRows {
  /** The record for (scope, key), or null. */
  get(scope: string, key: string): Promise<IdempotencyRecord | null>;
  /** Stores a record; `{ applied: false }` when (scope, key) exists already. */
  put(record: IdempotencyRecord): Promise<WriteOutcome>;
  /**
   * Stores several records in one round trip; `{ applied: false }` when any (scope, key)
   * exists already (the caller then rolls back). Optional: without it, `put` runs per record.
   */
  putMany?(records: readonly IdempotencyRecord[]): Promise<WriteOutcome>;
  /**
   * Overwrites the fingerprint and result of an existing record (a claim becoming a result);
   * `{ applied: false }` when (scope, key) has no record.
   */
  replace(record: IdempotencyRecord): Promise<WriteOutcome>;
  /** Deletes one record (a claim whose work failed), if it exists. */
  remove(scope: string, key: string): Promise<void>;
  /** Deletes records created before `before`; returns how many. */
  purge(before: Date): Promise<number>;
}

/** Warehouses inside a transaction. */
export interface WarehouseRows {
  /** Warehouses by id (missing ones are left out). With `lock`, locked until the transaction ends. */
  get(ids: readonly string[], options?: { readonly lock?: boolean }): Promise<Warehouse[]>;
  /** Every warehouse, sorted by id. */
  list(): Promise<Warehouse[]>;
  /** Inserts; `{ applied: false }` when the id exists. */
  insert(warehouse: Warehouse): Promise<WriteOutcome>;
  /** Stores `next` where the stored version equals `expectedVersion`. */
  update(next: Warehouse, expectedVersion: number): Promise<WriteOutcome>;
}

/** Transfers inside a transaction. */
export interface TransferRows {
  /** One transfer, or null. With `lock`, locked until the transaction ends. */
  get(id: string, options?: { readonly lock?: boolean }): Promise<Transfer | null>;
  insert(transfer: Transfer): Promise<void>;
  /** Stores `next` where the stored version equals `expectedVersion`. */
  update(next: Transfer, expectedVersion: number): Promise<WriteOutcome>;
}

/** Low-stock alerts inside a transaction. */
export interface AlertRows {
  /** The open (TRIGGERED or ACKNOWLEDGED) alerts of the given rows. */
  findOpen(keys: readonly StockKey[]): Promise<LowStockAlert[]>;
  /** One alert, or null. */
  get(id: string): Promise<LowStockAlert | null>;
  /** Inserts; `{ applied: false }` when the row already has an open alert. */
  insert(alert: LowStockAlert): Promise<WriteOutcome>;
  /** Overwrites an alert. */
  update(alert: LowStockAlert): Promise<void>;
}

/**
 * Set-based writes for bulk imports, which a store may offer on its transactions (see
 * `StockTransaction.bulk`). Each call writes many rows in a few statements (PostgreSQL: one
 * array a column through `unnest`; SQLite: prepared statements in the open transaction) instead
 * of one statement a row. Same guarantees as the row-by-row members they stand in for.
 */
export interface BulkWrites {
  /**
   * Inserts new rows. `{ applied: false }` when any of them exists already (a concurrent insert
   * won); the caller then rolls the transaction back.
   */
  insertStock(rows: readonly InventoryStock[]): Promise<WriteOutcome>;
  /** `StockRows.update` for many rows: guarded by version, all or nothing. */
  updateStock(
    writes: readonly StockWrite[],
    unchanged?: readonly InventoryStock[],
  ): Promise<WriteOutcome>;
  /** `LedgerRows.append` for many movements. */
  appendMovements(movements: readonly Movement[]): Promise<void>;
  /** `OutboxRows.append` for many events, kept in order. */
  appendEvents(events: readonly CloudEvent[]): Promise<void>;
}

/**
 * One store transaction. Everything written through it commits together or not at all, and
 * reads see the transaction's own writes.
 */
export interface StockTransaction {
  readonly stock: StockRows;
  readonly reservations: ReservationRows;
  readonly ledger: LedgerRows;
  readonly outbox: OutboxRows;
  readonly idempotency: IdempotencyRows;
  readonly warehouses: WarehouseRows;
  readonly transfers: TransferRows;
  readonly alerts: AlertRows;
  /** Per-SKU selling policies (cart limits). */
  readonly policies: SkuPolicyRows;
  /** Sales channels; absent where the store keeps none (channel commands then fail). */
  readonly channels?: ChannelRows;
  /** Checkpoints, archiving and the archive horizon. */
  readonly history: HistoryRows;
  /** Set-based writes for bulk imports; absent where row-by-row writes are as fast (memory). */
  readonly bulk?: BulkWrites;
  /**
   * A write batch's held-back rows in one round trip: idempotency records (as `putMany`:
   * `{ applied: false }` when any key exists already, and the caller then rolls back),
   * movements (as `ledger.append`) and outbox events (as `outbox.append`, after any appended
   * before in the transaction). Optional: without it each kind is written on its own.
   */
  appendAll?(rows: {
    readonly records: readonly IdempotencyRecord[];
    readonly movements: readonly Movement[];
    readonly events: Parameters<OutboxRows['append']>[0];
  }): Promise<WriteOutcome>;
}

/** Filters for movement listings. */
export interface MovementFilter {
  readonly sku?: string;
  readonly warehouseId?: string;
}

/** Filters for transfer listings. */
export interface TransferFilter {
  readonly status?: TransferStatus;
  /** Transfers from or to this warehouse. */
  readonly warehouseId?: string;
}

/**
 * Reads outside transactions. A store may serve these from a replica, so they may lag the
 * primary by the replica's delay; nothing that decides a write reads through here.
 */
export interface StoreReads extends HistoryReads {
  /** Every row of a SKU, sorted by warehouseId. */
  stockBySku(sku: string): Promise<InventoryStock[]>;
  /** Rows of many SKUs, sorted by (sku, warehouseId). */
  stockBySkus(skus: readonly string[]): Promise<InventoryStock[]>;
  /** A warehouse's rows, sorted by sku, paged. */
  stockByWarehouse(warehouseId: string, page: PageRequest): Promise<Page<InventoryStock>>;
  /** All rows, sorted by (sku, warehouseId), paged (for jobs: reconcile, low stock, replenishment). */
  allStock(page: PageRequest): Promise<Page<InventoryStock>>;
  /** Rows with `available <= lowStockThreshold`, optionally of one warehouse, sorted by (sku, warehouseId). */
  lowStock(warehouseId?: string): Promise<InventoryStock[]>;
  /** One reservation, or null. */
  reservation(id: string): Promise<Reservation | null>;
  /** Sum of ACTIVE reservation lines per (sku, warehouseId), for reconciliation. */
  activeHolds(): Promise<Array<StockKey & { readonly quantity: number }>>;
  /** Reservations in a status, oldest first, paged. */
  reservationsByStatus(status: ReservationStatus, page: PageRequest): Promise<Page<Reservation>>;
  /** Movements, newest first (by createdAt, then id), paged. */
  movements(filter: MovementFilter, page: PageRequest): Promise<Page<Movement>>;
  /**
   * Movements of one row, or of every row of a SKU, in ledger order (by row, then version),
   * optionally only those at or before `until`, paged. This is what replay reads.
   */
  ledger(
    filter: MovementFilter & { readonly until?: Date },
    page: PageRequest,
  ): Promise<Page<Movement>>;
  /** One warehouse, or null. */
  warehouse(id: string): Promise<Warehouse | null>;
  /** Warehouses sorted by id, paged. */
  warehouses(page: PageRequest): Promise<Page<Warehouse>>;
  /** Occupancy (sum of `total`) per warehouse id. */
  occupancies(): Promise<Map<string, number>>;
  /** One transfer, or null. */
  transfer(id: string): Promise<Transfer | null>;
  /** Transfers, newest first, paged. */
  transfers(filter: TransferFilter, page: PageRequest): Promise<Page<Transfer>>;
  /** Alerts, newest first, optionally in one status, paged. */
  alerts(
    filter: { readonly status?: LowStockAlert['status'] },
    page: PageRequest,
  ): Promise<Page<LowStockAlert>>;
  /**
   * The idempotency record for (scope, key), or null; lets a replay be answered without a
   * transaction. Optional: without it the core reads the record in a short transaction. A
   * replica may not have a record yet, never a record the primary lacks, so a miss only means
   * "run the command", which finds the record in its own transaction.
   */
  idempotencyRecord?(scope: string, key: string): Promise<IdempotencyRecord | null>;
  /**
   * The records found for several (scope, key) pairs in one round trip (missing ones left out,
   * in any order); same freshness rule as `idempotencyRecord`. Optional: the core then looks
   * the keys up one by one. Concurrent keyed commands' lookups are gathered into one call.
   */
  idempotencyRecords?(
    keys: readonly { readonly scope: string; readonly key: string }[],
  ): Promise<IdempotencyRecord[]>;
  /** How many outbox entries wait for delivery, and the oldest one's event time. */
  outboxLag(): Promise<{ readonly pending: number; readonly oldest: Date | null }>;
}

/** Options of one transaction. */
export interface TransactionOptions {
  /**
   * `pessimistic` asks the store to take its write lock up front (SQLite: BEGIN IMMEDIATE is
   * used for every write transaction anyway). Row locks are requested per read with `lock`.
   * @default 'optimistic'
   */
  readonly mode?: 'optimistic' | 'pessimistic';
}

/**
 * The persistence port: every adapter (memory, SQLite, Postgres) implements it, and the
 * contract suite in `@stockroom/core/testing` checks that it keeps the invariants.
 *
 * Outside the contract: scheduling, retries (the core retries on `VERSION_CONFLICT`), caching.
 */
export interface StockStore {
  readonly capabilities: StoreCapabilities;
  /**
   * Runs `work` in one transaction: commits when it resolves, rolls back everything when it
   * throws (and rethrows). Serialization failures, deadlocks and busy databases are thrown as
   * retryable `VERSION_CONFLICT`; a lost connection as `STORE_UNAVAILABLE`.
   */
  transaction<T>(
    work: (transaction: StockTransaction) => Promise<T>,
    options?: TransactionOptions,
  ): Promise<T>;
  /** Reads outside transactions (possibly from a replica). */
  readonly reads: StoreReads;
  /**
   * Commits made by other processes on the same store, for in-process caches (SQLite:
   * `PRAGMA data_version`; PostgreSQL: LISTEN/NOTIFY). Absent for a store no other process can
   * write (the in-memory store).
   */
  readonly changes?: StoreChangeFeed;
  /** Checks the store answers (for readiness probes). */
  ping(): Promise<void>;
  /** Releases what the store created (pools, files). Idempotent. */
  close(): Promise<void>;
}
