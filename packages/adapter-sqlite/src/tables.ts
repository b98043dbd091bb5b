import type { Generated } from 'kysely';

// Row types of the SQLite schema (see migrations/). Names are snake_case as stored; times are
// integer Unix milliseconds (they sort and compare as numbers); mappers.ts turns them into
// domain values.

/** `warehouses`: one row per warehouse. */
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
  capacity: number | null;
  status: string;
  priority: number;
  version: number;
  created_at: number;
  updated_at: number;
}

/** `stock`: one row per (sku, warehouse). */
export interface StockTable {
  sku: string;
  warehouse_id: string;
  available: number;
  reserved: number;
  damaged: number;
  in_transit: number;
  total: number;
  low_stock_threshold: number;
  reorder_point: number;
  max_stock_level: number | null;
  version: number;
  last_restocked_at: number | null;
  last_sold_at: number | null;
  created_at: number;
  updated_at: number;
}

/** `reservations`: one row per reservation (its lines are in `reservation_lines`). */
export interface ReservationTable {
  id: string;
  status: string;
  order_id: string | null;
  user_id: string | null;
  created_at: number;
  expires_at: number;
  committed_at: number | null;
  released_at: number | null;
  version: number;
}

/** `reservation_lines`: the lines of a reservation, in order (`line_no` from 0). */
export interface ReservationLineTable {
  reservation_id: string;
  line_no: number;
  sku: string;
  warehouse_id: string;
  quantity: number;
  refunded: number;
}

/** `movements`: the append-only ledger. */
export interface MovementTable {
  id: string;
  sku: string;
  warehouse_id: string;
  type: string;
  delta_available: number;
  delta_reserved: number;
  delta_damaged: number;
  delta_in_transit: number;
  after_available: number;
  after_reserved: number;
  after_damaged: number;
  after_in_transit: number;
  version: number;
  reservation_id: string | null;
  order_id: string | null;
  transfer_id: string | null;
  reference: string | null;
  idempotency_key: string | null;
  actor: string | null;
  reason: string | null;
  created_at: number;
}

/** `transfers`: stock moving between warehouses. */
export interface TransferTable {
  id: string;
  sku: string;
  from_warehouse_id: string;
  to_warehouse_id: string;
  quantity: number;
  status: string;
  created_at: number;
  shipped_at: number | null;
  received_at: number | null;
  cancelled_at: number | null;
  version: number;
}

/** `alerts`: low-stock alerts; at most one open (not RESOLVED) per (sku, warehouse). */
export interface AlertTable {
  id: string;
  sku: string;
  warehouse_id: string;
  current_quantity: number;
  threshold: number;
  status: string;
  triggered_at: number;
  acknowledged_at: number | null;
  acknowledged_by: string | null;
  resolved_at: number | null;
}

/** `outbox`: undelivered events; `position` is an AUTOINCREMENT key, so it only grows. */
export interface OutboxTable {
  position: Generated<number>;
  event_id: string;
  /** The CloudEvent as JSON text. */
  event: string;
  /** The event's `time` in ms, for the outbox lag. */
  event_time: number;
  attempts: Generated<number>;
}

/** `idempotency_keys`: the first result of each keyed command. */
export interface IdempotencyKeyTable {
  scope: string;
  key: string;
  fingerprint: string;
  result: string;
  created_at: number;
}

/** `ledger_checkpoints`: verified snapshots of a stock row at a version. */
export interface LedgerCheckpointTable {
  sku: string;
  warehouse_id: string;
  version: number;
  available: number;
  reserved: number;
  damaged: number;
  in_transit: number;
  moved_at: number;
  last_restocked_at: number | null;
  last_sold_at: number | null;
  verified_at: number;
}

/** `ledger_horizon`: one row (id 1) once movements were archived. */
export interface LedgerHorizonTable {
  id: number;
  archived_before: number;
  updated_at: number;
}

/** `sales_channels`: one row per sales channel (migration 0005). */
export interface SalesChannelTable {
  id: string;
  name: string;
  /** A JSON array of warehouse ids, sorted. */
  warehouse_ids: string;
  /** The display strategy as text (`exact`, `capped:10`, `levels:5`). */
  display: string;
  version: number;
  created_at: number;
  updated_at: number;
}

/** The whole schema, as kysely sees it. */
export interface SqliteTables {
  warehouses: WarehouseTable;
  stock: StockTable;
  reservations: ReservationTable;
  reservation_lines: ReservationLineTable;
  movements: MovementTable;
  transfers: TransferTable;
  alerts: AlertTable;
  outbox: OutboxTable;
  idempotency_keys: IdempotencyKeyTable;
  ledger_checkpoints: LedgerCheckpointTable;
  ledger_horizon: LedgerHorizonTable;
  sales_channels: SalesChannelTable;
}
