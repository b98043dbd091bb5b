import { type Logger, silentLogger, ValidationError } from '@stockroom/core';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { createOwnedPool, type PostgresPool, translatingPool } from '../postgres-pool.js';
import { translatePostgresError } from '../translate-postgres-error.js';
import { createBackorders } from './backorders.js';
import { addHoldParts } from './hold-parts.js';
import { createIncomingReceipts } from './incoming-receipts.js';
import { createInitialSchema, type SchemaLayout } from './initial-schema.js';
import { createKits } from './kits.js';
import { createLedgerHistory } from './ledger-history.js';
import { allowDamagedUnitMovements } from './movement-types.js';
import { dropRedundantReservationIndexes } from './reservation-indexes.js';
import { createReservationListingIndexes } from './reservation-listing.js';
import { createSalesChannels } from './sales-channels.js';
import { createSellability } from './sellability.js';

/** The default schema of the store's tables. */
export const DEFAULT_SCHEMA = 'stockroom';
/** The most hash partitions `partitions` accepts. */
export const MAX_PARTITIONS = 256;

/** Options of {@link migrateToLatest}. */
export interface MigrateOptions {
  /** The pool to migrate through (not closed afterwards). Give this or `connectionString`. */
  readonly pool?: PostgresPool;
  /** A connection string; a one-connection pool is created and closed for the migration. */
  readonly connectionString?: string;
  /** The schema that holds the tables (created when missing). @default 'stockroom' */
  readonly schema?: string;
  /**
   * 0 for plain tables; N (2–256) to create `stock` and `movements` hash-partitioned by
   * warehouse id into N partitions. Only the first migration of a schema reads it: changing it
   * later does not re-partition existing tables. @default 0
   */
  readonly partitions?: number;
  readonly logger?: Logger;
}

/**
 * Checks and fills in the schema name and the partition count.
 * @throws VALIDATION_FAILED for a schema that is not a plain identifier or a bad partition count
 */
export function resolveLayout(options: {
  readonly schema?: string;
  readonly partitions?: number;
}): SchemaLayout {
  const schema = options.schema ?? DEFAULT_SCHEMA;
  const partitions = options.partitions ?? 0;
  const issues = [];
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) {
    issues.push({ path: 'schema', message: 'must be a plain identifier of at most 63 characters' });
  }
  if (
    !Number.isInteger(partitions) ||
    partitions < 0 ||
    partitions === 1 ||
    partitions > MAX_PARTITIONS
  ) {
    issues.push({ path: 'partitions', message: `must be 0 or an integer 2–${MAX_PARTITIONS}` });
  }
  if (issues.length > 0) throw new ValidationError(issues);
  return { schema, partitions };
}

/** One schema change; `up` runs inside the migration transaction. */
interface Migration {
  readonly name: string;
  up(db: Kysely<unknown>, layout: SchemaLayout): Promise<void>;
}

/** Every migration, in order. Names sort in the order they apply. */
const MIGRATIONS: readonly Migration[] = [
  { name: '0001_initial', up: createInitialSchema },
  { name: '0002_ledger_history', up: createLedgerHistory },
  { name: '0004_sellability', up: createSellability },
  { name: '0005_sales_channels', up: createSalesChannels },
  { name: '0006_damaged_unit_movements', up: allowDamagedUnitMovements },
  { name: '0007_backorders', up: createBackorders },
  { name: '0008_incoming_receipts', up: createIncomingReceipts },
  { name: '0009_hold_parts', up: addHoldParts },
  { name: '0010_reservation_listing', up: createReservationListingIndexes },
  { name: '0011_kits', up: createKits },
  { name: '0012_reservation_indexes', up: dropRedundantReservationIndexes },
];

/**
 * Creates the schema and the bookkeeping tables. `IF NOT EXISTS` does not stop two sessions
 * racing on the same name in PostgreSQL (one may get a unique violation on the catalog), so a
 * failed attempt is retried: the next one finds the objects the winner committed.
 */
async function bootstrap(db: Kysely<unknown>, schema: string): Promise<void> {
  const table = (name: string) => sql.id(schema, name);
  for (let attempt = 1; ; attempt += 1) {
    try {
      await sql`CREATE SCHEMA IF NOT EXISTS ${sql.id(schema)}`.execute(db);
      await sql`CREATE TABLE IF NOT EXISTS ${table('stockroom_migration')} (
        name text PRIMARY KEY,
        applied_at timestamptz NOT NULL
      )`.execute(db);
      await sql`CREATE TABLE IF NOT EXISTS ${table('stockroom_migration_lock')} (
        id integer PRIMARY KEY
      )`.execute(db);
      await sql`INSERT INTO ${table('stockroom_migration_lock')} (id) VALUES (1)
        ON CONFLICT (id) DO NOTHING`.execute(db);
      return;
    } catch (error) {
      if (attempt >= 5) throw error;
    }
  }
}

/**
 * Runs the package's pending migrations through `db` in the layout's schema: one transaction
 * that first locks the schema's migration-lock row (`SELECT … FOR UPDATE`), so concurrent runs
 * queue and the later ones find the work done. No advisory lock, no catalog-wide introspection:
 * the same steps work on PostgreSQL-compatible distributed databases.
 * @returns the names of the migrations applied now
 */
export async function runMigrations(
  db: Kysely<unknown>,
  layout: SchemaLayout,
  logger: Logger,
): Promise<string[]> {
  const table = (name: string) => sql.id(layout.schema, name);
  try {
    await bootstrap(db, layout.schema);
    const applied = await db.transaction().execute(async (transaction) => {
      await sql`SELECT id FROM ${table('stockroom_migration_lock')} WHERE id = 1 FOR UPDATE`.execute(
        transaction,
      );
      const done = await sql<{
        name: string;
      }>`SELECT name FROM ${table('stockroom_migration')}`.execute(transaction);
      const finished = new Set(done.rows.map((row) => row.name));
      const names: string[] = [];
      for (const migration of MIGRATIONS) {
        if (finished.has(migration.name)) continue;
        await migration.up(transaction, layout);
        await sql`INSERT INTO ${table('stockroom_migration')} (name, applied_at)
          VALUES (${migration.name}, clock_timestamp())`.execute(transaction);
        names.push(migration.name);
      }
      return names;
    });
    if (applied.length > 0) {
      logger.info(
        { schema: layout.schema, partitions: layout.partitions, applied },
        'stockroom migrations applied',
      );
    }
    return applied;
  } catch (error) {
    logger.error({ err: error, schema: layout.schema }, 'stockroom migration failed');
    throw translatePostgresError(error);
  }
}

/**
 * Creates or upgrades the store's tables in `schema`. Safe to call from every instance at
 * start-up: runs are serialised and a schema already at the latest version is left alone.
 *
 * @example
 * ```ts
 * await migrateToLatest({ connectionString: process.env.DATABASE_URL, schema: 'stockroom' });
 * ```
 * @returns the names of the migrations applied now (empty when already up to date)
 * @throws VALIDATION_FAILED for a bad schema name or partition count, STORE_UNAVAILABLE when
 *   the database cannot be reached
 */
export async function migrateToLatest(options: MigrateOptions): Promise<string[]> {
  const layout = resolveLayout(options);
  const logger = options.logger ?? silentLogger;
  let owned: PostgresPool | undefined;
  if (!options.pool) {
    if (!options.connectionString) {
      throw new ValidationError([{ path: 'pool', message: 'give a pool or a connectionString' }]);
    }
    owned = createOwnedPool(options.connectionString, 1, logger);
  }
  const pool = options.pool ?? owned!;
  const db = new Kysely<unknown>({
    dialect: new PostgresDialect({ pool: translatingPool(pool, logger) }),
  });
  try {
    return await runMigrations(db, layout, logger);
  } finally {
    await owned?.end();
  }
}
