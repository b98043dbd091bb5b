import { resolve } from 'node:path';
import { type Logger, type StockStore, StoreUnavailableError, silentLogger } from '@stockroom/core';
import {
  isRetryableConflict,
  type StockTransaction,
  type StoreCapabilities,
} from '@stockroom/core/adapter-kit';
import Database from 'better-sqlite3';
import { Kysely, sql } from 'kysely';
import { migrateToLatest } from './migrations/migrate-to-latest.js';
import { sqliteBulkWrites } from './sqlite-bulk-writes.js';
import { createSqliteChangeFeed } from './sqlite-change-feed.js';
import { type Checkpointer, startCheckpointer } from './sqlite-checkpointer.js';
import { createSqliteDialect, type SqliteDatabase } from './sqlite-dialect.js';
import { createSqliteStockTransaction } from './sqlite-stock-transaction.js';
import { createSqliteStoreReads } from './sqlite-store-reads.js';
import type { SqliteTables } from './tables.js';
import { translateSqliteError } from './translate-sqlite-error.js';

/** Where the store's data lives: a file the store opens (and closes), or a connection you own. */
export type SqliteStockStoreTarget =
  | {
      /**
       * The database file; created when missing. The store opens a write connection and a
       * read connection on it and closes both in `close()`.
       */
      readonly filename: string;
      readonly database?: never;
    }
  | {
      /**
       * An open better-sqlite3 `Database` you own: the store sets its pragmas (WAL, busy_timeout,
       * synchronous, foreign_keys), uses it for writes and reads, and never closes it. Do not run
       * statements on it while the store is open: a statement slipped in between the store's
       * awaits would join the store's open transaction.
       */
      readonly database: SqliteDatabase;
      readonly filename?: never;
    };

/** Options of {@link createSqliteStockStore}. */
export type SqliteStockStoreOptions = SqliteStockStoreTarget & {
  /**
   * `PRAGMA synchronous`. With WAL, `NORMAL` never corrupts the database but a power cut (not a
   * process crash) may lose the last transactions before the next checkpoint; `FULL` syncs the
   * WAL on every commit, so a committed transaction survives a power cut, at a cost per commit.
   * @default 'NORMAL'
   */
  readonly synchronous?: 'NORMAL' | 'FULL';
  /**
   * `PRAGMA busy_timeout`: how long a statement waits for another process's lock before it
   * fails with SQLITE_BUSY (then thrown as retryable `VERSION_CONFLICT`, which the core's retry
   * policy retries with backoff). better-sqlite3 waits synchronously, blocking the event loop,
   * so keep it short and let the retry policy do the rest.
   * @default 1000
   */
  readonly busyTimeoutMs?: number;
  /**
   * `PRAGMA cache_size` of each connection the store uses, in KiB: the most memory SQLite keeps
   * of the database's pages for that connection (pages beyond it are read back from the file,
   * usually from the operating system's cache). better-sqlite3 builds SQLite with 16,000 KiB;
   * a smaller cache lowers the process's memory on large imports (see the adapter's README).
   * @default 16000 (better-sqlite3's build default)
   */
  readonly cacheSizeKib?: number;
  /**
   * Whether bulk imports checkpoint the WAL on a worker thread of their own (started by the
   * first bulk write of a store that opened its file; about 15 MB of memory while it runs).
   * `false` leaves every checkpoint to the writer's own `wal_autocheckpoint`, inside the
   * COMMIT of the transaction that fills the WAL: the import then runs on one thread, slower
   * on a machine with a spare core.
   * @default true
   */
  readonly checkpointWorker?: boolean;
  /** Runs {@link migrateToLatest} before returning. @default true */
  readonly migrate?: boolean;
  /** Receives migration and retry diagnostics. @default silent */
  readonly logger?: Logger;
};

/** The SQLite store: a {@link StockStore} plus what it was opened on. */
export interface SqliteStockStore extends StockStore {
  /** The database file (`''` or `:memory:` for an in-memory database). */
  readonly filename: string;
}

/** BEGIN IMMEDIATE takes SQLite's one write lock up front, so every read in a write transaction is as good as locked, and nobody else can hold a claimed row. */
const CAPABILITIES: StoreCapabilities = Object.freeze({
  lockingReads: true,
  skipLocked: true,
  multiProcess: true,
  singleWriter: true,
});

const DEFAULT_BUSY_TIMEOUT_MS = 1000;

function configureWriter(
  database: SqliteDatabase,
  options: {
    busyTimeoutMs: number;
    synchronous: 'NORMAL' | 'FULL';
    cacheSizeKib: number | undefined;
  },
): void {
  // busy_timeout first: switching to WAL needs a lock another process may hold.
  database.pragma(`busy_timeout = ${options.busyTimeoutMs}`);
  database.pragma('journal_mode = WAL');
  database.pragma(`synchronous = ${options.synchronous}`);
  database.pragma('foreign_keys = ON');
  // After a burst, truncate the WAL back to at most 64 MiB at the next checkpoint.
  database.pragma('journal_size_limit = 67108864');
  if (options.cacheSizeKib !== undefined) database.pragma(`cache_size = -${options.cacheSizeKib}`);
}

function configureReader(
  database: SqliteDatabase,
  options: { busyTimeoutMs: number; cacheSizeKib: number | undefined },
): void {
  database.pragma(`busy_timeout = ${options.busyTimeoutMs}`);
  database.pragma('query_only = ON');
  if (options.cacheSizeKib !== undefined) database.pragma(`cache_size = -${options.cacheSizeKib}`);
}

/**
 * Wraps every read so that after `close()` it rejects with STORE_UNAVAILABLE, and a driver
 * error surfaces as a stockroom error (an unmigrated database: STORE_UNAVAILABLE saying how to
 * migrate).
 */
function whileOpen<T extends object>(reads: T, ensureOpen: () => void): T {
  const wrapped: Record<string, (...parameters: unknown[]) => Promise<unknown>> = {};
  for (const [name, read] of Object.entries(reads)) {
    wrapped[name] = async (...parameters) => {
      ensureOpen();
      try {
        return await (read as (...parameters: unknown[]) => Promise<unknown>)(...parameters);
      } catch (error) {
        throw translateSqliteError(error);
      }
    };
  }
  return wrapped as T;
}

function checkBusyTimeout(value: number): number {
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(`busyTimeoutMs must be a non-negative integer, got ${value}`);
  }
  return value;
}

function checkCacheSize(value: number | undefined): number | undefined {
  if (value !== undefined && (!Number.isSafeInteger(value) || value < 1)) {
    throw new RangeError(`cacheSizeKib must be a positive integer, got ${value}`);
  }
  return value;
}

/**
 * Opens the SQLite store: WAL mode, `busy_timeout`, `synchronous = NORMAL` (or `FULL`),
 * foreign keys on, schema migrated to the latest version. Write transactions run one at a time
 * in this process (FIFO) and as `BEGIN IMMEDIATE` in the database, so they also serialise with
 * other processes on the same file; a lock held past `busy_timeout` surfaces as retryable
 * `VERSION_CONFLICT`.
 *
 * With `filename`, reads outside transactions run on a second connection: in WAL mode they see
 * the last commit without waiting for a write transaction of this process (which may be
 * awaiting I/O, such as the outbox relay publishing). With `database`, reads share that one
 * connection between transactions.
 *
 * @example
 * ```ts
 * const store = await createSqliteStockStore({ filename: 'stockroom.db' });
 * const stockroom = createStockroom({ store });
 * ```
 * @throws STORE_UNAVAILABLE when the file cannot be opened or is not a database
 */
export async function createSqliteStockStore(
  options: SqliteStockStoreOptions,
): Promise<SqliteStockStore> {
  const logger = options.logger ?? silentLogger;
  const busyTimeoutMs = checkBusyTimeout(options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS);
  const synchronous = options.synchronous ?? 'NORMAL';
  const cacheSizeKib = checkCacheSize(options.cacheSizeKib);
  const owned = options.database === undefined;
  const opened: SqliteDatabase[] = [];
  let writer: SqliteDatabase;
  let reader: SqliteDatabase | undefined;
  try {
    if (options.database !== undefined) {
      writer = options.database;
    } else {
      writer = new Database(options.filename);
      opened.push(writer);
    }
    configureWriter(writer, { busyTimeoutMs, synchronous, cacheSizeKib });
    if (options.migrate ?? true) await migrateToLatest(writer, { logger });
    if (owned && !writer.memory) {
      reader = new Database(writer.name, { fileMustExist: true });
      opened.push(reader);
      configureReader(reader, { busyTimeoutMs, cacheSizeKib });
    }
  } catch (error) {
    for (const database of opened) database.close();
    throw translateSqliteError(error);
  }

  const writes = new Kysely<SqliteTables>({
    dialect: createSqliteDialect(writer, { begin: 'BEGIN IMMEDIATE', owned }),
  });
  const reads =
    reader === undefined
      ? writes
      : new Kysely<SqliteTables>({
          dialect: createSqliteDialect(reader, { begin: 'BEGIN DEFERRED', owned: true }),
        });
  const storeReads = createSqliteStoreReads(reads);
  let closed = false;
  let closing: Promise<void> | undefined;
  // Bulk imports fill the WAL a chunk at a time: their checkpoints run on a worker thread,
  // started by the first one (files the store opened only; see sqlite-checkpointer.ts).
  let checkpointer: Checkpointer | undefined;
  let checkpointerFailed = reader === undefined || options.checkpointWorker === false;
  // Resolved now, as the reader was opened: a later change of the working directory must not
  // point the worker at another file.
  const databaseFile = resolve(writer.name);
  const checkpointAfterBulk = (): void => {
    if (checkpointerFailed || closed) return;
    try {
      checkpointer ??= startCheckpointer(writer, databaseFile, (error) => {
        checkpointerFailed = true;
        logger.debug({ err: error }, 'sqlite checkpointer failed; the writer checkpoints itself');
      });
      checkpointer.nudge();
    } catch (error) {
      checkpointerFailed = true;
      logger.debug(
        { err: error },
        'sqlite checkpointer not started; the writer checkpoints itself',
      );
    }
  };

  const ensureOpen = (): void => {
    if (closed) throw new StoreUnavailableError('The SQLite stock store is closed');
  };

  const guardedReads = whileOpen(storeReads, ensureOpen);

  return {
    capabilities: CAPABILITIES,
    filename: writer.name,
    reads: guardedReads,
    changes: createSqliteChangeFeed(writer, () => !closed),

    async transaction<T>(work: (transaction: StockTransaction) => Promise<T>): Promise<T> {
      ensureOpen();
      let bulkWritten = false;
      const wroteInBulk = () => {
        bulkWritten = true;
      };
      try {
        const result = await writes.transaction().execute((transaction) =>
          work({
            ...createSqliteStockTransaction(transaction),
            bulk: sqliteBulkWrites(writer, wroteInBulk),
          }),
        );
        if (bulkWritten) checkpointAfterBulk();
        return result;
      } catch (error) {
        const translated = translateSqliteError(error);
        if (isRetryableConflict(translated)) {
          logger.debug({ err: translated }, 'sqlite transaction conflicted; the caller may retry');
        }
        throw translated;
      }
    },

    async ping() {
      ensureOpen();
      await sql`SELECT 1`.execute(reads);
    },

    close() {
      closing ??= (async () => {
        closed = true;
        // Let every transaction and read that started before close finish first (FIFO).
        await writes.connection().execute(async () => {});
        if (reads !== writes) await reads.connection().execute(async () => {});
        // Before the writer closes: the last connection to close removes the WAL.
        await checkpointer?.close();
        if (owned) {
          try {
            await sql`PRAGMA optimize`.execute(writes);
          } catch (error) {
            logger.debug({ err: error }, 'sqlite PRAGMA optimize failed on close');
          }
        }
        if (reads !== writes) await reads.destroy();
        await writes.destroy();
      })();
      return closing;
    },
  };
}

/**
 * The same as {@link createSqliteStockStore}, under the name both SQL adapters share:
 * `await openSqliteStockStore(options)` / `await openPostgresStockStore(options)` open the store
 * and migrate it before resolving, unless `migrate: false`.
 */
export const openSqliteStockStore: (options: SqliteStockStoreOptions) => Promise<SqliteStockStore> =
  createSqliteStockStore;
