import { type Kysely, sql } from 'kysely';
import type { SchemaLayout } from './initial-schema.js';

/*
 * Migration 0013: the ledger's three time-ordered indexes, ascending.
 *
 * The first migration declared them `created_at DESC, id DESC`. Movements are appended in time
 * order, so in a descending index every new entry went to the left end of its range: no
 * rightmost-page fast path, and half-empty pages after every split. Ascending, each entry goes
 * to the right end; the reads that list the ledger newest first (`ORDER BY created_at DESC, id
 * DESC`) scan the same index backwards.
 *
 * The new indexes get new names, so they can be built beside the old ones and the old ones
 * dropped last:
 * - {@link buildLedgerIndexesConcurrently} runs before the migration transaction (when 0013 is
 *   pending on an existing ledger) and builds them with `CREATE INDEX CONCURRENTLY`: ledger
 *   reads and writes go on while it runs. A partitioned ledger cannot be indexed concurrently
 *   through its parent, so its parent index is created `ON ONLY` the parent (no rows, invalid
 *   until complete), each partition's index is built concurrently and attached to it.
 * - {@link orderLedgerIndexesAscending}, inside the migration transaction, builds whatever is
 *   still missing or invalid (under lock, as any index build in a transaction: writes to the
 *   ledger wait until the migration commits) and drops the three descending indexes. On a new schema that is all it does, on an empty table.
 */

/** One of the three indexes. */
interface LedgerIndex {
  /** The descending index of the first migration that this one replaces. */
  readonly old: string;
  /** The ascending index's name (partition indexes: `<partition>_<suffix>`). */
  readonly name: string;
  readonly suffix: string;
  readonly columns: string;
}

const LEDGER_INDEXES: readonly LedgerIndex[] = [
  {
    old: 'movements_by_sku',
    name: 'movements_sku_time',
    suffix: 'sku_time',
    columns: 'sku, created_at, id',
  },
  {
    old: 'movements_by_warehouse',
    name: 'movements_warehouse_time',
    suffix: 'warehouse_time',
    columns: 'warehouse_id, created_at, id',
  },
  { old: 'movements_by_time', name: 'movements_time', suffix: 'time', columns: 'created_at, id' },
];

/** The ledger table as it is in the database (not as the layout option says). */
interface LedgerTable {
  /** The partitions' table names; null for a plain table. */
  readonly partitions: readonly string[] | null;
}

/**
 * Looks the ledger table up: undefined when it does not exist yet, else whether it is
 * partitioned and its partitions. The layout option is read by the first migration only, so the
 * table's own catalog entry says how it was made.
 */
async function ledgerTable(db: Kysely<unknown>, schema: string): Promise<LedgerTable | undefined> {
  const result = await sql<{ relkind: string; partitions: string[] }>`
    SELECT p.relkind::text AS relkind, array(
      SELECT c.relname::text FROM pg_catalog.pg_inherits AS i
      JOIN pg_catalog.pg_class AS c ON c.oid = i.inhrelid
      WHERE i.inhparent = p.oid ORDER BY c.relname
    ) AS partitions
    FROM pg_catalog.pg_class AS p
    WHERE p.oid = to_regclass(format('%I.%I', ${schema}::text, 'movements'))`.execute(db);
  const row = result.rows[0];
  if (!row) return undefined;
  return { partitions: row.relkind === 'p' ? row.partitions : null };
}

/** Whether index `name` of `schema` exists, and if so whether it is valid. */
async function indexState(
  db: Kysely<unknown>,
  schema: string,
  name: string,
): Promise<'missing' | 'valid' | 'invalid'> {
  const result = await sql<{ valid: boolean }>`
    SELECT indisvalid AS valid FROM pg_catalog.pg_index
    WHERE indexrelid = to_regclass(format('%I.%I', ${schema}::text, ${name}::text))`.execute(db);
  const row = result.rows[0];
  return row === undefined ? 'missing' : row.valid ? 'valid' : 'invalid';
}

/**
 * Makes the three ascending indexes exist, each valid, on `table`; an invalid one (what an
 * interrupted concurrent build leaves) is dropped first and built again. `concurrently`: built
 * with `CREATE INDEX CONCURRENTLY` and dropped with `DROP INDEX CONCURRENTLY`, outside any
 * transaction and under the prepare lock, so an invalid index is never another process's build
 * in progress; otherwise built in the caller's transaction. A partitioned parent's index is
 * invalid until complete, so it is completed, never dropped.
 */
async function ensureAscending(
  db: Kysely<unknown>,
  schema: string,
  table: LedgerTable,
  concurrently: boolean,
): Promise<void> {
  const id = (name: string) => sql.id(schema, name);
  const how = concurrently ? sql.raw('CONCURRENTLY IF NOT EXISTS') : sql.raw('IF NOT EXISTS');
  const dropIfInvalid = async (name: string) => {
    if ((await indexState(db, schema, name)) !== 'invalid') return;
    if (concurrently) await sql`DROP INDEX CONCURRENTLY IF EXISTS ${id(name)}`.execute(db);
    else await sql`DROP INDEX ${id(name)}`.execute(db);
  };
  for (const index of LEDGER_INDEXES) {
    const columns = sql.raw(index.columns);
    if (table.partitions === null) {
      await dropIfInvalid(index.name);
      await sql`CREATE INDEX ${how} ${sql.id(index.name)} ON ${id('movements')} (${columns})`.execute(
        db,
      );
      continue;
    }
    // The parent's index is invalid until every partition has a valid index attached to it.
    // Dropping it would drop the attached partition indexes too, so it is completed instead.
    await sql`CREATE INDEX IF NOT EXISTS ${sql.id(index.name)} ON ONLY ${id('movements')} (${columns})`.execute(
      db,
    );
    for (const partition of table.partitions) {
      const name = `${partition}_${index.suffix}`;
      await dropIfInvalid(name);
      await sql`CREATE INDEX ${how} ${sql.id(name)} ON ${id(partition)} (${columns})`.execute(db);
      // A no-op when it is attached already.
      await sql`ALTER INDEX ${id(index.name)} ATTACH PARTITION ${id(name)}`.execute(db);
    }
  }
}

/**
 * Runs before the migration transaction while 0013 is pending: builds the ascending ledger
 * indexes of an existing ledger concurrently. Nothing to do when the ledger does not exist yet.
 * Must not run inside a transaction.
 */
export async function buildLedgerIndexesConcurrently(
  db: Kysely<unknown>,
  layout: SchemaLayout,
): Promise<void> {
  const table = await ledgerTable(db, layout.schema);
  if (table) await ensureAscending(db, layout.schema, table, true);
}

/**
 * Migration 0013 inside the migration transaction: completes the ascending ledger indexes
 * (nothing to build when the concurrent pass finished them) and drops the descending ones.
 */
export async function orderLedgerIndexesAscending(
  db: Kysely<unknown>,
  layout: SchemaLayout,
): Promise<void> {
  const table = await ledgerTable(db, layout.schema);
  // The first migration created the table, in this transaction or an earlier one.
  if (!table) return;
  await ensureAscending(db, layout.schema, table, false);
  for (const index of LEDGER_INDEXES) {
    await sql`DROP INDEX IF EXISTS ${sql.id(layout.schema, index.old)}`.execute(db);
  }
}
