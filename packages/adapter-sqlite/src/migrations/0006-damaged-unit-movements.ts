import { type Kysely, type Migration, sql } from 'kysely';

// The ledger accepts the damaged-unit movements WRITE_OFF (damaged → gone) and RESTORE
// (damaged → available). SQLite cannot alter a CHECK constraint, so the movements table is
// rebuilt the documented way (https://sqlite.org/lang_altertable.html#otheralter): a new table,
// copy, drop, rename, indexes again. Nothing references movements, and the migration runs in one
// BEGIN IMMEDIATE transaction, so a reader never sees the table missing. It copies the ledger
// once (a few seconds per million movements).
const table = (name: string, types: string) => `CREATE TABLE ${name} (
    id TEXT NOT NULL PRIMARY KEY,
    sku TEXT NOT NULL,
    warehouse_id TEXT NOT NULL,
    type TEXT NOT NULL CHECK (type IN (${types})),
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
  ) STRICT`;

const BEFORE = `'RESTOCK', 'SALE', 'RESERVATION', 'RELEASE', 'EXPIRATION', 'REFUND', 'RETURN',
    'TRANSFER_OUT', 'TRANSFER_IN', 'ADJUSTMENT', 'DAMAGE'`;
const AFTER = `${BEFORE}, 'WRITE_OFF', 'RESTORE'`;

const COLUMNS = `id, sku, warehouse_id, type, delta_available, delta_reserved, delta_damaged,
  delta_in_transit, after_available, after_reserved, after_damaged, after_in_transit, version,
  reservation_id, order_id, transfer_id, reference, idempotency_key, actor, reason, created_at`;

const INDEXES = [
  // Ledger order; unique because a row's n-th movement is the one that made version n.
  'CREATE UNIQUE INDEX movements_ledger ON movements (sku, warehouse_id, version)',
  'CREATE INDEX movements_by_sku ON movements (sku, created_at, id)',
  'CREATE INDEX movements_by_warehouse ON movements (warehouse_id, created_at, id)',
  'CREATE INDEX movements_by_time ON movements (created_at, id)',
];

const rebuild = (types: string, keep: string) => [
  table('movements_next', types),
  `INSERT INTO movements_next (${COLUMNS}) SELECT ${COLUMNS} FROM movements WHERE ${keep}`,
  'DROP TABLE movements',
  'ALTER TABLE movements_next RENAME TO movements',
  ...INDEXES,
];

async function run(db: Kysely<unknown>, statements: readonly string[]): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

/** The movements table accepts WRITE_OFF and RESTORE. */
export const damagedUnitMovements: Migration = {
  up: (db) => run(db, rebuild(AFTER, '1 = 1')),
  // Going down drops the movements the old schema cannot hold: replay then no longer matches
  // the rows that had them, which reconciliation reports.
  down: (db) => run(db, rebuild(BEFORE, "type NOT IN ('WRITE_OFF', 'RESTORE')")),
};
