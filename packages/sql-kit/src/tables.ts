import type { ColumnType } from 'kysely';

// Row types of the tables both SQL stores have, written once over the engine's column types:
// PostgreSQL reads `bigint` as text and `timestamptz` as a Date, SQLite stores both as integers
// (times in Unix milliseconds). Each store instantiates them with its own `EngineColumns`.

/** How one engine stores integers and times (kysely column types: select, insert, update). */
export interface EngineColumns {
  /** A `bigint`/`INTEGER` quantity, version or capacity. */
  readonly int: unknown;
  /** A nullable one. */
  readonly nullableInt: unknown;
  /** A point in time. */
  readonly time: unknown;
  /** A nullable point in time. */
  readonly nullableTime: unknown;
  /** A list of ids (PostgreSQL: `text[]`; SQLite: a JSON array as text). */
  readonly idList: unknown;
}

/**
 * The column types the kit queries through: every engine's values, so one query serves both
 * stores. A store hands its typed kysely to the kit once, through {@link KitDb}.
 */
export interface AnyEngineColumns extends EngineColumns {
  readonly int: ColumnType<RawInt, number, number>;
  readonly nullableInt: ColumnType<RawInt | null, number | null, number | null>;
  readonly time: ColumnType<RawTime, RawTime, RawTime>;
  readonly nullableTime: ColumnType<RawTime | null, RawTime | null, RawTime | null>;
  readonly idList: ColumnType<RawIdList, RawIdList, RawIdList>;
}

/** An integer as a driver returns it (pg: text for int8 and sums; better-sqlite3: a number). */
export type RawInt = string | number | bigint;
/** A time as a driver returns or takes it (pg: a Date; SQLite: Unix milliseconds). */
export type RawTime = Date | number;
/** A list of ids as a driver returns or takes it (pg: an array; SQLite: JSON text). */
export type RawIdList = string | string[];

/** `warehouses`. */
export interface WarehouseTable<C extends EngineColumns = AnyEngineColumns> {
  id: string;
  code: string;
  name: string;
  address: string | null;
  city: string | null;
  country: string | null;
  region: string | null;
  latitude: number | null;
  longitude: number | null;
  capacity: C['nullableInt'];
  status: string;
  priority: number;
  version: C['int'];
  created_at: C['time'];
  updated_at: C['time'];
}

/** `stock`: one row per (sku, warehouse_id). */
export interface StockTable<C extends EngineColumns = AnyEngineColumns> {
  sku: string;
  warehouse_id: string;
  available: C['int'];
  reserved: C['int'];
  damaged: C['int'];
  in_transit: C['int'];
  total: C['int'];
  low_stock_threshold: C['int'];
  reorder_point: C['int'];
  max_stock_level: C['nullableInt'];
  /** Units that count in `available` but are never sold (migration 0004). */
  safety_stock: C['int'];
  /** Units reservations took beyond what was sellable, not in `total` (migration 0007). */
  backordered: C['int'];
  version: C['int'];
  last_restocked_at: C['nullableTime'];
  last_sold_at: C['nullableTime'];
  created_at: C['time'];
  updated_at: C['time'];
}

/** `reservations`: the header of a hold; its lines live in `reservation_lines`. */
export interface ReservationTable<C extends EngineColumns = AnyEngineColumns> {
  id: string;
  status: string;
  order_id: string | null;
  user_id: string | null;
  created_at: C['time'];
  expires_at: C['time'];
  committed_at: C['nullableTime'];
  released_at: C['nullableTime'];
  version: C['int'];
}

/** `reservation_lines`: keyed by (reservation_id, line_no); `line_no` keeps the order, from 0. */
export interface ReservationLineTable<C extends EngineColumns = AnyEngineColumns> {
  reservation_id: string;
  line_no: number;
  sku: string;
  warehouse_id: string;
  quantity: C['int'];
  refunded: C['int'];
  /** The kit the line's units are components of (migration 0011; null for plain units). */
  kit_sku: string | null;
  /** Units committed by a partial commit (migration 0009; 0 before). */
  committed: C['int'];
  /** Units released by a partial release or the end of a partly committed hold (0009). */
  released: C['int'];
  /** Units of `quantity` promised from an incoming receipt, not held yet (migration 0008). */
  preordered: C['int'];
  /** The receipt the preordered units come from (migration 0008). */
  receipt_id: string | null;
  /** When that receipt was expected as the line was made (migration 0008). */
  expected_at: C['nullableTime'];
  /** Units of `quantity` waiting for a restock (migration 0007). */
  backordered: C['int'];
}

/** `movements`: the append-only ledger. */
export interface MovementTable<C extends EngineColumns = AnyEngineColumns> {
  id: string;
  sku: string;
  warehouse_id: string;
  type: string;
  delta_available: C['int'];
  delta_reserved: C['int'];
  delta_damaged: C['int'];
  delta_in_transit: C['int'];
  /** Migration 0007 (0 for older movements). */
  delta_backordered: C['int'];
  after_available: C['int'];
  after_reserved: C['int'];
  after_damaged: C['int'];
  after_in_transit: C['int'];
  /** Migration 0007 (0 for older movements). */
  after_backordered: C['int'];
  version: C['int'];
  reservation_id: string | null;
  order_id: string | null;
  transfer_id: string | null;
  reference: string | null;
  idempotency_key: string | null;
  actor: string | null;
  reason: string | null;
  created_at: C['time'];
}

/** `transfers`: stock moving between warehouses. */
export interface TransferTable<C extends EngineColumns = AnyEngineColumns> {
  id: string;
  sku: string;
  from_warehouse_id: string;
  to_warehouse_id: string;
  quantity: C['int'];
  status: string;
  created_at: C['time'];
  shipped_at: C['nullableTime'];
  received_at: C['nullableTime'];
  cancelled_at: C['nullableTime'];
  version: C['int'];
}

/** `low_stock_alerts`: at most one open (not RESOLVED) alert per (sku, warehouse_id). */
export interface AlertTable<C extends EngineColumns = AnyEngineColumns> {
  id: string;
  sku: string;
  warehouse_id: string;
  current_quantity: C['int'];
  threshold: C['int'];
  status: string;
  triggered_at: C['time'];
  acknowledged_at: C['nullableTime'];
  acknowledged_by: string | null;
  resolved_at: C['nullableTime'];
}

/** `idempotency_keys`: the first result of each keyed command. */
export interface IdempotencyKeyTable<C extends EngineColumns = AnyEngineColumns> {
  scope: string;
  key: string;
  fingerprint: string;
  result: string;
  created_at: C['time'];
}

/** `ledger_checkpoints`: verified snapshots of a stock row at a version. */
export interface LedgerCheckpointTable<C extends EngineColumns = AnyEngineColumns> {
  sku: string;
  warehouse_id: string;
  version: C['int'];
  available: C['int'];
  reserved: C['int'];
  damaged: C['int'];
  in_transit: C['int'];
  /** Migration 0007. */
  backordered: C['int'];
  moved_at: C['time'];
  last_restocked_at: C['nullableTime'];
  last_sold_at: C['nullableTime'];
  verified_at: C['time'];
}

/** `ledger_horizon`: one row (id 1) once movements were archived. */
export interface LedgerHorizonTable<C extends EngineColumns = AnyEngineColumns> {
  id: number;
  archived_before: C['time'];
  updated_at: C['time'];
}

/** `sku_policies`: the selling rules of one SKU (migration 0004). */
export interface SkuPolicyTable<C extends EngineColumns = AnyEngineColumns> {
  sku: string;
  min_per_cart: C['nullableInt'];
  max_per_cart: C['nullableInt'];
  /** 1 when reservations may preorder from open incoming receipts, else 0 (migration 0008). */
  allow_preorder: C['int'];
  /** `DENY` or `CONTINUE` (migration 0007). */
  backorder_policy: ColumnType<string, string | undefined, string>;
  /** The most backordered units per stock row; null for no limit (migration 0007). */
  backorder_limit: C['nullableInt'];
  version: C['int'];
  updated_at: C['time'];
}

/** `sales_channels`: one row per sales channel (migration 0005). */
export interface SalesChannelTable<C extends EngineColumns = AnyEngineColumns> {
  id: string;
  name: string;
  /** The channel's warehouse ids, sorted. */
  warehouse_ids: C['idList'];
  /** The display strategy as text (`exact`, `capped:10`, `levels:5`). */
  display: string;
  version: C['int'];
  created_at: C['time'];
  updated_at: C['time'];
}

/** `kits`: one row per kit (bundle) SKU (migration 0011). */
export interface KitTable<C extends EngineColumns = AnyEngineColumns> {
  sku: string;
  /** `SINGLE_WAREHOUSE` or `SPLIT`. */
  shipping: string;
  version: C['int'];
  created_at: C['time'];
  updated_at: C['time'];
}

/** `kit_components`: keyed by (kit_sku, component_sku) (migration 0011). */
export interface KitComponentTable<C extends EngineColumns = AnyEngineColumns> {
  kit_sku: string;
  component_sku: string;
  quantity: C['int'];
}

/** `incoming_receipts`: stock expected in a warehouse (migration 0008). */
export interface IncomingReceiptTable<C extends EngineColumns = AnyEngineColumns> {
  id: string;
  sku: string;
  warehouse_id: string;
  quantity: C['int'];
  received_quantity: C['int'];
  preordered_quantity: C['int'];
  expected_at: C['time'];
  reference: string | null;
  status: string;
  created_at: C['time'];
  received_at: C['nullableTime'];
  cancelled_at: C['nullableTime'];
  version: C['int'];
}

/**
 * The tables both stores have, under one name each. The outbox is each store's own (ordered by
 * a database clock on PostgreSQL, by an AUTOINCREMENT key on SQLite).
 */
export interface SharedTables<C extends EngineColumns = AnyEngineColumns> {
  warehouses: WarehouseTable<C>;
  stock: StockTable<C>;
  reservations: ReservationTable<C>;
  reservation_lines: ReservationLineTable<C>;
  movements: MovementTable<C>;
  transfers: TransferTable<C>;
  low_stock_alerts: AlertTable<C>;
  idempotency_keys: IdempotencyKeyTable<C>;
  ledger_checkpoints: LedgerCheckpointTable<C>;
  ledger_horizon: LedgerHorizonTable<C>;
  sku_policies: SkuPolicyTable<C>;
  sales_channels: SalesChannelTable<C>;
  kits: KitTable<C>;
  kit_components: KitComponentTable<C>;
  incoming_receipts: IncomingReceiptTable<C>;
}

/** The part of an outbox row every store has (the delivery bookkeeping the kit writes). */
export interface OutboxDeliveryTable {
  event_id: string;
  attempts: ColumnType<number, never, number>;
  event_time: ColumnType<RawTime, RawTime, RawTime>;
}

/** What the kit's queries see: the shared tables plus the outbox's common columns. */
export interface KitTables extends SharedTables {
  outbox: OutboxDeliveryTable;
}
