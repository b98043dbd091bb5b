import { type Kysely, type Migration, sql } from 'kysely';

// Sellability: safety stock per stock row (units never sold; 0 for existing rows) and per-SKU
// selling policies (cart limits). Numbered 0004: 0003 is kept for the table-naming migration.
const up = [
  'ALTER TABLE stock ADD COLUMN safety_stock INTEGER NOT NULL DEFAULT 0 CHECK (safety_stock >= 0)',
  `CREATE TABLE sku_policies (
    sku TEXT NOT NULL PRIMARY KEY,
    min_per_cart INTEGER CHECK (min_per_cart IS NULL OR min_per_cart >= 1),
    max_per_cart INTEGER CHECK (max_per_cart IS NULL OR max_per_cart >= 1),
    version INTEGER NOT NULL CHECK (version >= 1),
    updated_at INTEGER NOT NULL,
    CHECK (min_per_cart IS NULL OR max_per_cart IS NULL OR min_per_cart <= max_per_cart)
  ) STRICT, WITHOUT ROWID`,
];

const down = ['DROP TABLE sku_policies', 'ALTER TABLE stock DROP COLUMN safety_stock'];

async function run(db: Kysely<unknown>, statements: readonly string[]): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

/** Safety stock on stock rows and the `sku_policies` table. */
export const sellability: Migration = {
  up: (db) => run(db, up),
  down: (db) => run(db, down),
};
