import { type Kysely, type Migration, sql } from 'kysely';

// Sales channels: a named set of warehouses. The warehouse ids are a JSON array (a channel is
// always read whole, and there are few of them); `display` is the strategy as text
// (`exact`, `capped:10`, `levels:5`).
const up = [
  `CREATE TABLE sales_channels (
    id TEXT NOT NULL PRIMARY KEY,
    name TEXT NOT NULL,
    warehouse_ids TEXT NOT NULL CHECK (json_valid(warehouse_ids) AND json_type(warehouse_ids) = 'array'),
    display TEXT NOT NULL,
    version INTEGER NOT NULL CHECK (version > 0),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  ) STRICT`,
];

const down = ['DROP TABLE sales_channels'];

async function run(db: Kysely<unknown>, statements: readonly string[]): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

/** The `sales_channels` table. */
export const salesChannels: Migration = {
  up: (db) => run(db, up),
  down: (db) => run(db, down),
};
