import type {
  AlertTable as KitAlertTable,
  IdempotencyKeyTable as KitIdempotencyKeyTable,
  LedgerCheckpointTable as KitLedgerCheckpointTable,
  MovementTable as KitMovementTable,
  ReservationLineTable as KitReservationLineTable,
  ReservationTable as KitReservationTable,
  StockTable as KitStockTable,
  TransferTable as KitTransferTable,
  WarehouseTable as KitWarehouseTable,
  SharedTables,
  SqliteColumns,
} from '@stockroom/sql-kit';
import type { Generated } from 'kysely';

// Row types of the SQLite schema (see migrations/): the tables both stores share come from the
// SQL kit, in SQLite's column types; times are integer Unix milliseconds (they sort and compare
// as numbers). The outbox is this store's own.

/** `warehouses`: one row per warehouse. */
export type WarehouseTable = KitWarehouseTable<SqliteColumns>;
/** `stock`: one row per (sku, warehouse). */
export type StockTable = KitStockTable<SqliteColumns>;
/** `reservations`: one row per reservation (its lines are in `reservation_lines`). */
export type ReservationTable = KitReservationTable<SqliteColumns>;
/** `reservation_lines`: the lines of a reservation, in order (`line_no` from 0). */
export type ReservationLineTable = KitReservationLineTable<SqliteColumns>;
/** `movements`: the append-only ledger. */
export type MovementTable = KitMovementTable<SqliteColumns>;
/** `transfers`: stock moving between warehouses. */
export type TransferTable = KitTransferTable<SqliteColumns>;
/** `low_stock_alerts` (`alerts` before migration 0003): at most one open alert per row. */
export type AlertTable = KitAlertTable<SqliteColumns>;
/** `idempotency_keys`: the first result of each keyed command. */
export type IdempotencyKeyTable = KitIdempotencyKeyTable<SqliteColumns>;
/** `ledger_checkpoints`: verified snapshots of a stock row at a version. */
export type LedgerCheckpointTable = KitLedgerCheckpointTable<SqliteColumns>;

/** `outbox`: undelivered events; `position` is an AUTOINCREMENT key, so it only grows. */
export interface OutboxTable {
  position: Generated<number>;
  event_id: string;
  /** The CloudEvent as JSON text, without the fields the columns and its version imply (see `storedEventJson`). */
  event: string;
  /** The event's `time` in ms, for the outbox lag. */
  event_time: number;
  attempts: Generated<number>;
}

/** The whole schema, as kysely sees it. */
export interface SqliteTables extends SharedTables<SqliteColumns> {
  outbox: OutboxTable;
}
