import { type Logger, silentLogger, ValidationError } from '@stockroom/core';
import { Kysely, type Migration, type MigrationProvider, Migrator, PostgresDialect } from 'kysely';
import { createOwnedPool, type PostgresPool, translatingPool } from '../postgres-pool.js';
import { translatePostgresError } from '../translate-postgres-error.js';
import { createInitialSchema, type SchemaLayout } from './initial-schema.js';

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

function provider(layout: SchemaLayout): MigrationProvider {
  const migrations: Record<string, Migration> = {
    '0001_initial': { up: (db) => createInitialSchema(db, layout) },
  };
  return { getMigrations: async () => migrations };
}

/**
 * Runs the package's pending migrations through `db` in the layout's schema, one transaction
 * per run (PostgreSQL DDL is transactional). Kysely's migrator serialises concurrent runs with
 * a PostgreSQL advisory lock: migrations only, never the request path.
 * @returns the names of the migrations applied now
 */
export async function runMigrations(
  db: Kysely<unknown>,
  layout: SchemaLayout,
  logger: Logger,
): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: provider(layout),
    migrationTableSchema: layout.schema,
    migrationTableName: 'stockroom_migration',
    migrationLockTableName: 'stockroom_migration_lock',
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  const applied = results
    .filter((result) => result.status === 'Success')
    .map((result) => result.migrationName);
  if (error !== undefined) {
    logger.error({ err: error, schema: layout.schema }, 'stockroom migration failed');
    throw translatePostgresError(error);
  }
  if (applied.length > 0) {
    logger.info(
      { schema: layout.schema, partitions: layout.partitions, applied },
      'stockroom migrations applied',
    );
  }
  return applied;
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
