import { type Kysely, type Migration, sql } from 'kysely';

// Kits (bundles): a header per kit SKU and its components. A reservation line records the kit
// its units are components of (`kit_sku`, null for plain units): adding a nullable column
// rewrites nothing.
const up = [
  `CREATE TABLE kits (
    sku TEXT NOT NULL PRIMARY KEY,
    shipping TEXT NOT NULL CHECK (shipping IN ('SINGLE_WAREHOUSE', 'SPLIT')),
    version INTEGER NOT NULL CHECK (version > 0),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  ) STRICT`,
  `CREATE TABLE kit_components (
    kit_sku TEXT NOT NULL REFERENCES kits (sku) ON DELETE CASCADE,
    component_sku TEXT NOT NULL,
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (kit_sku, component_sku)
  ) STRICT, WITHOUT ROWID`,
  'CREATE INDEX kit_components_by_component ON kit_components (component_sku)',
  'ALTER TABLE reservation_lines ADD COLUMN kit_sku TEXT',
];

const down = [
  'ALTER TABLE reservation_lines DROP COLUMN kit_sku',
  'DROP TABLE kit_components',
  'DROP TABLE kits',
];

async function run(db: Kysely<unknown>, statements: readonly string[]): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

/** The `kits` and `kit_components` tables, and `reservation_lines.kit_sku`. */
export const kits: Migration = {
  up: (db) => run(db, up),
  down: (db) => run(db, down),
};
