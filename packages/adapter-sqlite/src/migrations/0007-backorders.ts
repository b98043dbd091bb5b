import { type Kysely, type Migration, sql } from 'kysely';

// Backorders: stock rows get a `backordered` bucket (units promised beyond what was sellable,
// not part of `total`), reservation lines their `backordered` units (with a partial index: the
// queue a restock fills), SKU policies a backorder policy and limit, checkpoints a
// `backordered` quantity, and the ledger a `backordered` delta and after-value plus the
// BACKORDER_FILL type. SQLite cannot alter a CHECK constraint, so the movements table is
// rebuilt as in 0006 (new table, copy, drop, rename, indexes again), in the migration's one
// BEGIN IMMEDIATE transaction; existing movements get 0 in the new columns.
const table = (name: string, types: string, backorders: boolean) => `CREATE TABLE ${name} (
    id TEXT NOT NULL PRIMARY KEY,
    sku TEXT NOT NULL,
    warehouse_id TEXT NOT NULL,
    type TEXT NOT NULL CHECK (type IN (${types})),
    delta_available INTEGER NOT NULL,
    delta_reserved INTEGER NOT NULL,
    delta_damaged INTEGER NOT NULL,
    delta_in_transit INTEGER NOT NULL,${backorders ? '\n    delta_backordered INTEGER NOT NULL DEFAULT 0,' : ''}
    after_available INTEGER NOT NULL CHECK (after_available >= 0),
    after_reserved INTEGER NOT NULL CHECK (after_reserved >= 0),
    after_damaged INTEGER NOT NULL CHECK (after_damaged >= 0),
    after_in_transit INTEGER NOT NULL CHECK (after_in_transit >= 0),${backorders ? '\n    after_backordered INTEGER NOT NULL DEFAULT 0 CHECK (after_backordered >= 0),' : ''}
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
    'TRANSFER_OUT', 'TRANSFER_IN', 'ADJUSTMENT', 'DAMAGE', 'WRITE_OFF', 'RESTORE'`;
const AFTER = `${BEFORE}, 'BACKORDER_FILL'`;

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

const rebuild = (types: string, backorders: boolean, keep: string) => [
  table('movements_next', types, backorders),
  `INSERT INTO movements_next (${COLUMNS}) SELECT ${COLUMNS} FROM movements WHERE ${keep}`,
  'DROP TABLE movements',
  'ALTER TABLE movements_next RENAME TO movements',
  ...INDEXES,
];

const up = [
  'ALTER TABLE stock ADD COLUMN backordered INTEGER NOT NULL DEFAULT 0 CHECK (backordered >= 0)',
  `ALTER TABLE reservation_lines ADD COLUMN backordered INTEGER NOT NULL DEFAULT 0
    CHECK (backordered >= 0 AND backordered <= quantity)`,
  'CREATE INDEX reservation_lines_waiting ON reservation_lines (sku, warehouse_id) WHERE backordered > 0',
  `ALTER TABLE sku_policies ADD COLUMN backorder_policy TEXT NOT NULL DEFAULT 'DENY'
    CHECK (backorder_policy IN ('DENY', 'CONTINUE'))`,
  `ALTER TABLE sku_policies ADD COLUMN backorder_limit INTEGER
    CHECK (backorder_limit IS NULL OR backorder_limit >= 0)`,
  'ALTER TABLE ledger_checkpoints ADD COLUMN backordered INTEGER NOT NULL DEFAULT 0 CHECK (backordered >= 0)',
  ...rebuild(AFTER, true, '1 = 1'),
];

// Going down drops the fills (the old schema cannot hold them) and every backorder: replay then
// no longer matches the rows that had them, which reconciliation reports.
const down = [
  ...rebuild(BEFORE, false, "type <> 'BACKORDER_FILL'"),
  'ALTER TABLE ledger_checkpoints DROP COLUMN backordered',
  'ALTER TABLE sku_policies DROP COLUMN backorder_limit',
  'ALTER TABLE sku_policies DROP COLUMN backorder_policy',
  'DROP INDEX reservation_lines_waiting',
  'ALTER TABLE reservation_lines DROP COLUMN backordered',
  'ALTER TABLE stock DROP COLUMN backordered',
];

async function run(db: Kysely<unknown>, statements: readonly string[]): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

/** Backorder columns, the waiting-lines index and the BACKORDER_FILL movement type. */
export const backorders: Migration = {
  up: (db) => run(db, up),
  down: (db) => run(db, down),
};
