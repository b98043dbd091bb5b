import { type Kysely, sql } from 'kysely';
import type { SchemaLayout } from './initial-schema.js';

/**
 * The ledger's time-ordered indexes, oldest first. `0001_initial` created them as
 * `(…, created_at DESC, id DESC)`; movements are appended in time order, so every new entry of a
 * descending index lands at the left end of its range: no rightmost-page fast path, and each
 * full page splits in half (`movements_by_time` ended with 1.8× the pages). Ascending, a new
 * entry goes to the right end like the primary key's uuid7 ids: inserting 100,000 movements
 * touched 13 % fewer buffers, dirtied 12 % fewer pages and wrote 9 % less WAL. The newest-first
 * listings read the same indexes backwards (same plans, same pages read per page listed); the
 * oldest-first one (archiving) forwards.
 */
const LEDGER_INDEXES: readonly (readonly [name: string, columns: string])[] = [
  ['movements_by_sku', 'sku, created_at, id'],
  ['movements_by_warehouse', 'warehouse_id, created_at, id'],
  ['movements_by_time', 'created_at, id'],
];

/**
 * Migration 0012: rebuilds the ledger's time-ordered indexes ascending (see above). Runs
 * inside the migration transaction (`CREATE INDEX CONCURRENTLY` cannot), so writes to the
 * ledger wait while each index is rebuilt: seconds per million movements.
 */
export async function createLedgerIndexes(
  db: Kysely<unknown>,
  layout: SchemaLayout,
): Promise<void> {
  const table = sql.id(layout.schema, 'movements');
  for (const [name, columns] of LEDGER_INDEXES) {
    // On a partitioned table this drops and rebuilds every partition's index as well.
    await sql`DROP INDEX ${sql.id(layout.schema, name)}`.execute(db);
    await sql`CREATE INDEX ${sql.id(name)} ON ${table} (${sql.raw(columns)})`.execute(db);
  }
}
