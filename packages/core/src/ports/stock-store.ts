import type { ChannelRows } from '../channels/channel-rows.js';
import type { Movement } from '../domain/movement.js';
import type { Reservation } from '../domain/reservation.js';
import type { KitRows } from '../kits/kit-rows.js';
import type { AlertReads, AlertRows } from './alert-port.js';
import type { BulkWrites } from './bulk-writes.js';
import type { HistoryReads, HistoryRows } from './history.js';
import type { IdempotencyReads, IdempotencyRecord, IdempotencyRows } from './idempotency-port.js';
import type { LedgerRows, MovementReads } from './movement-port.js';
import type { OutboxReads, OutboxRows } from './outbox-port.js';
import type { ReceiptRows } from './receipt-port.js';
import type { ReservationReads, ReservationRows } from './reservation-port.js';
import type { SkuPolicyRows } from './sku-policies.js';
import type { StockReads, StockRows, StockWrite } from './stock-port.js';
import type { StoreChangeFeed } from './store-changes.js';
import type { TransferReads, TransferRows } from './transfer-port.js';
import type { WarehouseReads, WarehouseRows } from './warehouse-port.js';
import type { WriteOutcome } from './write-outcome.js';

// The port is split per entity (stock-port.ts, reservation-port.ts, …); this file composes them
// and re-exports every part, so `import type { StockRows } from './stock-store.js'` keeps working.
export type { AlertReads, AlertRows } from './alert-port.js';
export type { BulkWrites } from './bulk-writes.js';
export type { IdempotencyReads, IdempotencyRecord, IdempotencyRows } from './idempotency-port.js';
export type { LedgerRows, MovementFilter, MovementReads } from './movement-port.js';
export type { OutboxEntry, OutboxReads, OutboxRows } from './outbox-port.js';
export type { ReceiptFilter, ReceiptRows } from './receipt-port.js';
export type {
  ReservationFilter,
  ReservationReads,
  ReservationRows,
} from './reservation-port.js';
export type { StockReads, StockRows, StockWrite } from './stock-port.js';
export type { TransferFilter, TransferReads, TransferRows } from './transfer-port.js';
export type { WarehouseReads, WarehouseRows } from './warehouse-port.js';
export type { WriteOutcome } from './write-outcome.js';

/**
 * What a store can do, declared as data: the core picks a strategy from it (the outbox relay's
 * mode, the availability cache's change feed) and the contract suite skips, with the reason,
 * the cases a store cannot pass.
 */
export interface StoreCapabilities {
  /** `stock.read(…, { lock: true })` takes row locks that block other writers (SELECT … FOR UPDATE). */
  readonly lockingReads: boolean;
  /** Claims (`claimDue`, `outbox.claim`) skip rows another transaction holds (FOR UPDATE SKIP LOCKED). */
  readonly skipLocked: boolean;
  /** Several processes may share the store (false for the in-memory store). */
  readonly multiProcess: boolean;
  /**
   * One write transaction at a time across the whole store (SQLite's database lock). The core
   * then keeps store transactions short around slow I/O: the outbox relay publishes with no
   * transaction open (`relayMode: 'unlocked'`) unless told otherwise.
   * @default false
   */
  readonly singleWriter?: boolean;
}

/**
 * One store transaction. Everything written through it commits together or not at all, and
 * reads see the transaction's own writes. Each member's TSDoc lists what it throws; on any
 * throw the transaction rolls back.
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
  /** Kit definitions; absent where the store keeps none (kit commands then fail). */
  readonly kits?: KitRows;
  /** Incoming receipts (expected stock); absent where the store keeps none (no preorders then). */
  readonly receipts?: ReceiptRows;
  /** Checkpoints, archiving and the archive horizon. */
  readonly history: HistoryRows;
  /** Set-based writes for bulk imports; absent where row-by-row writes are as fast (memory). */
  readonly bulk?: BulkWrites;
  /**
   * A write batch's held-back rows in one round trip: idempotency records (as `putMany`:
   * `{ applied: false }` when any key exists already, and the caller then rolls back),
   * movements (as `ledger.append`) and outbox events (as `outbox.append`, after any appended
   * before in the transaction). Optional: without it each kind is written on its own.
   * @throws STORE_UNAVAILABLE, VERSION_CONFLICT (retryable)
   */
  appendAll?(rows: {
    readonly records: readonly IdempotencyRecord[];
    readonly movements: readonly Movement[];
    readonly events: Parameters<OutboxRows['append']>[0];
  }): Promise<WriteOutcome>;
  /**
   * `appendAll` plus the batch's guarded stock writes (as `stock.update` of rows this
   * transaction locked) and its new reservations (as `reservations.insert`), all in one round
   * trip. `{ applied: false, lostStock: true }` when a stock write lost its guard (nothing of it
   * is written; the caller rolls back and retries), `{ applied: false }` when an idempotency
   * key exists already. Optional, and preferred to `appendAll` where a store has both.
   * @throws STORE_UNAVAILABLE, VERSION_CONFLICT (retryable)
   */
  writeBatch?(rows: {
    readonly records: readonly IdempotencyRecord[];
    readonly movements: readonly Movement[];
    readonly events: Parameters<OutboxRows['append']>[0];
    readonly writes: readonly StockWrite[];
    readonly reservations: readonly Reservation[];
  }): Promise<WriteOutcome & { readonly lostStock?: boolean }>;
}

/**
 * Reads outside transactions, one interface per entity. A store may serve these from a
 * replica, so they may lag the primary by the replica's delay; nothing that decides a write
 * reads through here. They throw STORE_UNAVAILABLE when the store cannot be reached, and
 * paged ones VALIDATION_FAILED for a cursor the store did not issue.
 */
export interface StoreReads
  extends StockReads,
    ReservationReads,
    MovementReads,
    WarehouseReads,
    TransferReads,
    AlertReads,
    IdempotencyReads,
    OutboxReads,
    HistoryReads {}

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
 * Errors: members throw the core's typed errors only, translated in one place per adapter.
 * STORE_UNAVAILABLE means the store could not be reached (or was closed); VERSION_CONFLICT
 * with `retryable: true` means the engine refused a transaction it may accept on a retry
 * (serialization failure, deadlock, busy database, a key a concurrent transaction wrote
 * first). A lost compare-and-set is not an error: it is `{ applied: false }`.
 *
 * Outside the contract: scheduling, retries (the core retries on `VERSION_CONFLICT`), caching.
 */
export interface StockStore {
  /** What the store can do; read once by the core when it is composed. */
  readonly capabilities: StoreCapabilities;
  /**
   * Runs `work` in one transaction: commits when it resolves, rolls back everything when it
   * throws (and rethrows what `work` threw).
   * @throws VERSION_CONFLICT (retryable) when the engine refuses the transaction or its commit
   *   (serialization failure, deadlock, busy database); STORE_UNAVAILABLE when the connection is
   *   lost or the store is closed
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
  /**
   * Checks the store answers (for readiness probes).
   * @throws STORE_UNAVAILABLE
   */
  ping(): Promise<void>;
  /** Releases what the store created (pools, files). Idempotent. */
  close(): Promise<void>;
}
