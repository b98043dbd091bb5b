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

/** `warehouses`. */
export interface WarehouseTable {
  id: string;
  code: string;
  name: string;
  address: string | null;
  city: string | null;
  country: string | null;
  region: string | null;
  latitude: number | null;
  longitude: number | null;
  capacity: NullableInt8;
  status: string;
  priority: number;
  version: Int8;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** `stock`: one row per (sku, warehouse_id); hash-partitioned by warehouse_id when asked. */
export interface StockTable {
  sku: string;
  warehouse_id: string;
  available: Int8;
  reserved: Int8;
  damaged: Int8;
  in_transit: Int8;
  total: Int8;
  low_stock_threshold: Int8;
  reorder_point: Int8;
  max_stock_level: NullableInt8;
  version: Int8;
  last_restocked_at: NullableTimestamp;
  last_sold_at: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** `reservations`: the header of a hold; its lines live in `reservation_lines`. */
export interface ReservationTable {
  id: string;
  status: string;
  order_id: string | null;
  user_id: string | null;
  created_at: Timestamp;
  expires_at: Timestamp;
  committed_at: NullableTimestamp;
  released_at: NullableTimestamp;
  version: Int8;
}

/** `reservation_lines`: keyed by (reservation_id, line_no), `line_no` keeps the line order. */
export interface ReservationLineTable {
  reservation_id: string;
  line_no: number;
  sku: string;
  warehouse_id: string;
  quantity: Int8;
  refunded: Int8;
}

/** `movements`: the append-only ledger; hash-partitioned by warehouse_id when asked. */
export interface MovementTable {
  id: string;
  sku: string;
  warehouse_id: string;
  type: string;
  delta_available: Int8;
  delta_reserved: Int8;
  delta_damaged: Int8;
  delta_in_transit: Int8;
  after_available: Int8;
  after_reserved: Int8;
  after_damaged: Int8;
  after_in_transit: Int8;
  version: Int8;
  reservation_id: string | null;
  order_id: string | null;
  transfer_id: string | null;
  reference: string | null;
  idempotency_key: string | null;
  actor: string | null;
  reason: string | null;
  created_at: Timestamp;
}

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

/** `idempotency_keys`. */
export interface IdempotencyTable {
  scope: string;
  key: string;
  fingerprint: string;
  result: string;
  created_at: Timestamp;
}

/** `transfers`. */
export interface TransferTable {
  id: string;
  sku: string;
  from_warehouse_id: string;
  to_warehouse_id: string;
  quantity: Int8;
  status: string;
  created_at: Timestamp;
  shipped_at: NullableTimestamp;
  received_at: NullableTimestamp;
  cancelled_at: NullableTimestamp;
  version: Int8;
}

/** `low_stock_alerts`: at most one open (not RESOLVED) alert per (sku, warehouse_id). */
export interface AlertTable {
  id: string;
  sku: string;
  warehouse_id: string;
  current_quantity: Int8;
  threshold: Int8;
  status: string;
  triggered_at: Timestamp;
  acknowledged_at: NullableTimestamp;
  acknowledged_by: string | null;
  resolved_at: NullableTimestamp;
}

/** Every table of the store, as kysely sees them (inside the configured schema). */
/** `ledger_checkpoints`: verified snapshots of a stock row at a version. */
export interface LedgerCheckpointTable {
  sku: string;
  warehouse_id: string;
  version: Int8;
  available: Int8;
  reserved: Int8;
  damaged: Int8;
  in_transit: Int8;
  moved_at: Timestamp;
  last_restocked_at: NullableTimestamp;
  last_sold_at: NullableTimestamp;
  verified_at: Timestamp;
}

/** `ledger_horizon`: one row (id 1) once movements were archived. */
export interface LedgerHorizonTable {
  id: number;
  archived_before: Timestamp;
  updated_at: Timestamp;
}

export interface Database {
  warehouses: WarehouseTable;
  stock: StockTable;
  reservations: ReservationTable;
  reservation_lines: ReservationLineTable;
  movements: MovementTable;
  outbox: OutboxTable;
  idempotency_keys: IdempotencyTable;
  transfers: TransferTable;
  low_stock_alerts: AlertTable;
  ledger_checkpoints: LedgerCheckpointTable;
  ledger_horizon: LedgerHorizonTable;
  sales_channels: SalesChannelTable;
}

/** `sales_channels` (migration 0005). */
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

/** The name of one of the store's tables. */
export type TableName = keyof Database;
