import { type Kysely, type Migration, sql } from 'kysely';

// Incoming stock and preorders: the `incoming_receipts` table (units expected in a warehouse,
// with their received and preordered counts), the preorder fields of a reservation line (0 and
// NULL for existing lines) and the per-SKU `allow_preorder` flag (0 for existing policies).
// Adding columns with constant defaults rewrites no rows.
const up = [
  `CREATE TABLE incoming_receipts (
    id TEXT NOT NULL PRIMARY KEY,
    sku TEXT NOT NULL,
    warehouse_id TEXT NOT NULL REFERENCES warehouses (id),
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    received_quantity INTEGER NOT NULL CHECK (received_quantity >= 0),
    preordered_quantity INTEGER NOT NULL CHECK (preordered_quantity >= 0),
    expected_at INTEGER NOT NULL,
    reference TEXT,
    status TEXT NOT NULL CHECK (status IN ('EXPECTED', 'PARTIALLY_RECEIVED', 'RECEIVED', 'CANCELLED')),
    created_at INTEGER NOT NULL,
    received_at INTEGER,
    cancelled_at INTEGER,
    version INTEGER NOT NULL CHECK (version > 0),
    CHECK (received_quantity + preordered_quantity <= quantity)
  ) STRICT`,
  'CREATE INDEX incoming_receipts_by_sku ON incoming_receipts (sku, status)',
  'CREATE INDEX incoming_receipts_by_warehouse ON incoming_receipts (warehouse_id, id)',
  'ALTER TABLE reservation_lines ADD COLUMN preordered INTEGER NOT NULL DEFAULT 0 CHECK (preordered >= 0)',
  'ALTER TABLE reservation_lines ADD COLUMN receipt_id TEXT',
  'ALTER TABLE reservation_lines ADD COLUMN expected_at INTEGER',
  'CREATE INDEX reservation_lines_by_receipt ON reservation_lines (receipt_id) WHERE receipt_id IS NOT NULL',
  'ALTER TABLE sku_policies ADD COLUMN allow_preorder INTEGER NOT NULL DEFAULT 0 CHECK (allow_preorder IN (0, 1))',
];

const down = [
  'ALTER TABLE sku_policies DROP COLUMN allow_preorder',
  'DROP INDEX reservation_lines_by_receipt',
  'ALTER TABLE reservation_lines DROP COLUMN expected_at',
  'ALTER TABLE reservation_lines DROP COLUMN receipt_id',
  'ALTER TABLE reservation_lines DROP COLUMN preordered',
  'DROP TABLE incoming_receipts',
];

async function run(db: Kysely<unknown>, statements: readonly string[]): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

/** The `incoming_receipts` table, preorder columns on reservation lines and `allow_preorder`. */
export const incomingReceipts: Migration = {
  up: (db) => run(db, up),
  down: (db) => run(db, down),
};
