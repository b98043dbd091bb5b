import { type Kysely, type Migration, sql } from 'kysely';

// The whole first schema. STRICT tables reject values of the wrong type; CHECK constraints are
// the last line of defence behind the guarded writes (no quantity below zero, `total` always the
// sum of the buckets); times are integer Unix milliseconds.
const up = [
  `CREATE TABLE warehouses (
    id TEXT NOT NULL PRIMARY KEY,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    address TEXT,
    city TEXT,
    country TEXT,
    region TEXT,
    latitude REAL,
    longitude REAL,
    capacity INTEGER CHECK (capacity IS NULL OR capacity >= 0),
    status TEXT NOT NULL CHECK (status IN ('ACTIVE', 'INACTIVE', 'MAINTENANCE')),
    priority INTEGER NOT NULL,
    version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  ) STRICT`,

  `CREATE TABLE stock (
    sku TEXT NOT NULL,
    warehouse_id TEXT NOT NULL REFERENCES warehouses (id),
    available INTEGER NOT NULL CHECK (available >= 0),
    reserved INTEGER NOT NULL CHECK (reserved >= 0),
    damaged INTEGER NOT NULL CHECK (damaged >= 0),
    in_transit INTEGER NOT NULL CHECK (in_transit >= 0),
    total INTEGER NOT NULL,
    low_stock_threshold INTEGER NOT NULL,
    reorder_point INTEGER NOT NULL,
    max_stock_level INTEGER,
    version INTEGER NOT NULL CHECK (version >= 0),
    last_restocked_at INTEGER,
    last_sold_at INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (sku, warehouse_id),
    CHECK (total = available + reserved + damaged + in_transit)
  ) STRICT, WITHOUT ROWID`,
  'CREATE INDEX stock_by_warehouse ON stock (warehouse_id, sku)',

  `CREATE TABLE reservations (
    id TEXT NOT NULL PRIMARY KEY,
    status TEXT NOT NULL CHECK (status IN ('ACTIVE', 'COMMITTED', 'RELEASED', 'EXPIRED')),
    order_id TEXT,
    user_id TEXT,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    committed_at INTEGER,
    released_at INTEGER,
    version INTEGER NOT NULL
  ) STRICT`,
  // The expiry sweep: ACTIVE ones by expiry, oldest first.
  'CREATE INDEX reservations_due ON reservations (status, expires_at, id)',
  'CREATE INDEX reservations_by_status ON reservations (status, created_at, id)',
  'CREATE INDEX reservations_by_order ON reservations (order_id, created_at, id) WHERE order_id IS NOT NULL',

  `CREATE TABLE reservation_lines (
    reservation_id TEXT NOT NULL REFERENCES reservations (id) ON DELETE CASCADE,
    line_no INTEGER NOT NULL,
    sku TEXT NOT NULL,
    warehouse_id TEXT NOT NULL,
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    refunded INTEGER NOT NULL DEFAULT 0 CHECK (refunded >= 0 AND refunded <= quantity),
    PRIMARY KEY (reservation_id, line_no)
  ) STRICT, WITHOUT ROWID`,

  `CREATE TABLE movements (
    id TEXT NOT NULL PRIMARY KEY,
    sku TEXT NOT NULL,
    warehouse_id TEXT NOT NULL,
    type TEXT NOT NULL CHECK (type IN ('RESTOCK', 'SALE', 'RESERVATION', 'RELEASE', 'EXPIRATION',
      'REFUND', 'RETURN', 'TRANSFER_OUT', 'TRANSFER_IN', 'ADJUSTMENT', 'DAMAGE')),
    delta_available INTEGER NOT NULL,
    delta_reserved INTEGER NOT NULL,
    delta_damaged INTEGER NOT NULL,
    delta_in_transit INTEGER NOT NULL,
    after_available INTEGER NOT NULL CHECK (after_available >= 0),
    after_reserved INTEGER NOT NULL CHECK (after_reserved >= 0),
    after_damaged INTEGER NOT NULL CHECK (after_damaged >= 0),
    after_in_transit INTEGER NOT NULL CHECK (after_in_transit >= 0),
    version INTEGER NOT NULL CHECK (version > 0),
    reservation_id TEXT,
    order_id TEXT,
    transfer_id TEXT,
    reference TEXT,
    idempotency_key TEXT,
    actor TEXT,
    reason TEXT,
    created_at INTEGER NOT NULL
  ) STRICT`,
  // Ledger order; unique because a row's n-th movement is the one that made version n.
  'CREATE UNIQUE INDEX movements_ledger ON movements (sku, warehouse_id, version)',
  'CREATE INDEX movements_by_sku ON movements (sku, created_at, id)',
  'CREATE INDEX movements_by_warehouse ON movements (warehouse_id, created_at, id)',
  'CREATE INDEX movements_by_time ON movements (created_at, id)',

  `CREATE TABLE transfers (
    id TEXT NOT NULL PRIMARY KEY,
    sku TEXT NOT NULL,
    from_warehouse_id TEXT NOT NULL,
    to_warehouse_id TEXT NOT NULL,
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    status TEXT NOT NULL CHECK (status IN ('INITIATED', 'IN_TRANSIT', 'RECEIVED', 'CANCELLED')),
    created_at INTEGER NOT NULL,
    shipped_at INTEGER,
    received_at INTEGER,
    cancelled_at INTEGER,
    version INTEGER NOT NULL
  ) STRICT`,
  'CREATE INDEX transfers_by_time ON transfers (created_at, id)',
  'CREATE INDEX transfers_by_status ON transfers (status, created_at, id)',

  `CREATE TABLE alerts (
    id TEXT NOT NULL PRIMARY KEY,
    sku TEXT NOT NULL,
    warehouse_id TEXT NOT NULL,
    current_quantity INTEGER NOT NULL,
    threshold INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('TRIGGERED', 'ACKNOWLEDGED', 'RESOLVED')),
    triggered_at INTEGER NOT NULL,
    acknowledged_at INTEGER,
    acknowledged_by TEXT,
    resolved_at INTEGER
  ) STRICT`,
  // Never two open alerts for one row.
  `CREATE UNIQUE INDEX alerts_one_open ON alerts (sku, warehouse_id) WHERE status <> 'RESOLVED'`,
  'CREATE INDEX alerts_by_time ON alerts (triggered_at, id)',
  'CREATE INDEX alerts_by_status ON alerts (status, triggered_at, id)',

  // AUTOINCREMENT: a position is never reused, even after the newest entries were delivered.
  `CREATE TABLE outbox (
    position INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL UNIQUE,
    event TEXT NOT NULL,
    event_time INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0
  ) STRICT`,

  `CREATE TABLE idempotency_keys (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    result TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (scope, key)
  ) STRICT`,
  'CREATE INDEX idempotency_keys_by_time ON idempotency_keys (created_at)',
];

const down = [
  'idempotency_keys',
  'outbox',
  'alerts',
  'transfers',
  'movements',
  'reservation_lines',
  'reservations',
  'stock',
  'warehouses',
].map((table) => `DROP TABLE ${table}`);

async function run(db: Kysely<unknown>, statements: readonly string[]): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

/** The first schema: every table and index the store needs. */
export const initialSchema: Migration = {
  up: (db) => run(db, up),
  down: (db) => run(db, down),
};
