import { isStockroomError, StoreUnavailableError, VersionConflictError } from '@stockroom/core';

// The only file that reads driver error fields. better-sqlite3 throws `SqliteError` with the
// extended result code name in `code` (`SQLITE_BUSY`, `SQLITE_BUSY_SNAPSHOT`,
// `SQLITE_CONSTRAINT_CHECK`, `SQLITE_IOERR_WRITE`, …).

/** Another connection holds the lock we need: the same work can succeed a moment later. */
const CONTENTION = ['SQLITE_BUSY', 'SQLITE_LOCKED'];

/** The database cannot work at all right now (file gone, disk full, I/O failing, not a database). */
const UNAVAILABLE = [
  'SQLITE_IOERR',
  'SQLITE_FULL',
  'SQLITE_CANTOPEN',
  'SQLITE_READONLY',
  'SQLITE_CORRUPT',
  'SQLITE_NOTADB',
  'SQLITE_NOMEM',
  'SQLITE_PROTOCOL',
  'SQLITE_NOLFS',
];

function sqliteCodeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
}

function hasPrimaryCode(code: string, primaries: readonly string[]): boolean {
  return primaries.some((primary) => code === primary || code.startsWith(`${primary}_`));
}

/**
 * Turns a better-sqlite3 error into a stockroom error, keyed on its SQLite result code:
 * - `SQLITE_BUSY*` / `SQLITE_LOCKED*` (another process holds the write lock past `busy_timeout`,
 *   or a WAL snapshot went stale) → retryable `VERSION_CONFLICT`, which the core's retry policy
 *   retries with backoff;
 * - I/O, disk-full, cannot-open, read-only, corrupt, not-a-database → `STORE_UNAVAILABLE`;
 * - `no such table` (a database that was never migrated) → `STORE_UNAVAILABLE` saying how to
 *   migrate.
 *
 * Stockroom errors and anything else (a constraint failure is a bug, not a race) are returned
 * unchanged.
 */
export function translateSqliteError(error: unknown): unknown {
  if (isStockroomError(error)) return error;
  const code = sqliteCodeOf(error);
  if (code === undefined) return error;
  if (hasPrimaryCode(code, CONTENTION)) {
    return new VersionConflictError(
      `SQLite database is busy (${code}): another connection holds the lock`,
      { retryable: true },
      { cause: error },
    );
  }
  if (code === 'SQLITE_ERROR' && error instanceof Error && /^no such table: /.test(error.message)) {
    return new StoreUnavailableError(
      `The stockroom tables do not exist (${error.message}): migrate the database first — open the store with migrate: true (the default) or run migrateToLatest(database)`,
      { cause: error },
    );
  }
  if (hasPrimaryCode(code, UNAVAILABLE)) {
    return new StoreUnavailableError(`SQLite database unavailable (${code})`, { cause: error });
  }
  return error;
}
