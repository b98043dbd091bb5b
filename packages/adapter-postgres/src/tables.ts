import type * as Kit from '@stockroom/sql-kit';
import type { ColumnType, Generated } from 'kysely';

// Row types of the store's tables (snake_case, as stored). `bigint` columns come back from pg
// as strings (pg does not parse int8 unless a type parser is installed, and this adapter never
// installs global parsers on a pool it was given); mappers.ts turns them into numbers.

/** A `bigint` column: read as a string (typed `string | number` so filters take numbers). */
export type Int8 = ColumnType<string | number, number, number>;
/** A nullable `bigint` column. */
export type NullableInt8 = ColumnType<string | number | null, number | null, number | null>;
/** A `timestamptz` column (pg parses it to a Date). */
export type Timestamp = ColumnType<Date, Date, Date>;
/** A nullable `timestamptz` column. */
export type NullableTimestamp = ColumnType<Date | null, Date | null, Date | null>;

/** How PostgreSQL stores the kit's integers and times. */
export interface PostgresColumns extends Kit.EngineColumns {
  readonly int: Int8;
  readonly nullableInt: NullableInt8;
  readonly time: Timestamp;
  readonly nullableTime: NullableTimestamp;
}

/** `warehouses`. */
export type WarehouseTable = Kit.WarehouseTable<PostgresColumns>;
/** `stock`: one row per (sku, warehouse_id); hash-partitioned by warehouse_id when asked. */
export type StockTable = Kit.StockTable<PostgresColumns>;
/** `reservations`. */
export type ReservationTable = Kit.ReservationTable<PostgresColumns>;
/** `reservation_lines`. */
export type ReservationLineTable = Kit.ReservationLineTable<PostgresColumns>;
/** `movements`: the append-only ledger; hash-partitioned by warehouse_id when asked. */
export type MovementTable = Kit.MovementTable<PostgresColumns>;
/** `ledger_checkpoints`. */
export type LedgerCheckpointTable = Kit.LedgerCheckpointTable<PostgresColumns>;
/** `sku_policies`: the selling rules of one SKU (migration 0004). */
export type SkuPolicyTable = Kit.SkuPolicyTable<PostgresColumns>;

/**
 * `outbox`: undelivered CloudEvents. Ordered by (enqueued_us, ordinal, event_id): the database
 * clock in microseconds when the row was written, then the event's place in its append.
 */
export interface OutboxTable {
  event_id: string;
  subject: string;
  type: string;
  /** The whole CloudEvent as `json` (kept byte for byte, unlike `jsonb`). */
  event: ColumnType<unknown, string, string>;
  event_time: Timestamp;
  /** Set by the column default from `clock_timestamp()`, never by the adapter. */
  enqueued_us: Generated<string>;
  ordinal: number;
  attempts: Generated<number>;
}

/** Every table of the store, as kysely sees them (inside the configured schema). */
export interface Database extends Kit.SharedTables<PostgresColumns> {
  outbox: OutboxTable;
  sales_channels: SalesChannelTable;
}

/** The name of one of the store's tables. */
export type TableName = keyof Database;

/** `sales_channels`: one row per sales channel (migration 0005). */
export interface SalesChannelTable {
  id: string;
  name: string;
  /** Sorted warehouse ids. */
  warehouse_ids: string[];
  /** The display strategy as text (`exact`, `capped:10`, `levels:5`). */
  display: string;
  version: Int8;
  created_at: Timestamp;
  updated_at: Timestamp;
}
