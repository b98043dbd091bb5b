import { type Logger, silentLogger } from '@stockroom/core';
import { withRetry } from '@stockroom/core/adapter-kit';
import { Kysely, Migrator } from 'kysely';
import { createSqliteDialect, type SqliteDatabase } from '../sqlite-dialect.js';
import { MIGRATION_LOCK_TABLE, MIGRATION_TABLE, SQLITE_MIGRATIONS } from './index.js';

/** What {@link migrateToLatest} did. */
export interface MigrationSummary {
  /** Names of the migrations applied by this call, in order (empty when already at latest). */
  readonly executed: readonly string[];
}

/** Options of {@link migrateToLatest}. */
export interface MigrateOptions {
  /** Logs each applied migration at `info`. @default silent */
  readonly logger?: Logger;
}

// Two processes starting on one new file race to migrate. Each migration runs in a
// BEGIN IMMEDIATE transaction, so the loser waits for the winner's lock and then finds nothing
// to do; what remains (a busy error past busy_timeout) is retried here.
const MIGRATION_RETRY = { maxAttempts: 10, baseDelayMs: 20, maxDelayMs: 500, deadlineMs: 30_000 };

/**
 * Brings a database's schema to the latest version with kysely's Migrator, in one
 * `BEGIN IMMEDIATE` transaction. Running it on an up-to-date database is a no-op. The database
 * is not closed.
 *
 * @example
 * ```ts
 * import Database from 'better-sqlite3';
 * const database = new Database('stockroom.db');
 * await migrateToLatest(database);
 * ```
 * @throws VERSION_CONFLICT (retryable) when another process kept the database locked
 * @throws STORE_UNAVAILABLE when the file cannot be written
 * @throws the migration's own error when a migration fails (nothing of it is applied)
 */
export async function migrateToLatest(
  database: SqliteDatabase,
  options: MigrateOptions = {},
): Promise<MigrationSummary> {
  const logger = options.logger ?? silentLogger;
  const db = new Kysely<unknown>({
    dialect: createSqliteDialect(database, { begin: 'BEGIN IMMEDIATE', owned: false }),
  });
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => ({ ...SQLITE_MIGRATIONS }) },
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
  });
  try {
    const results = await withRetry(MIGRATION_RETRY, async () => {
      const { error, results: migrated = [] } = await migrator.migrateToLatest();
      if (error !== undefined) throw error;
      return migrated;
    });
    const executed = results.map((result) => result.migrationName);
    for (const name of executed) logger.info({ migration: name }, 'sqlite migration applied');
    return { executed };
  } finally {
    await db.destroy();
  }
}
