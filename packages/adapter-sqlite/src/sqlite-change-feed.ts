import { StoreUnavailableError } from '@stockroom/core';
import {
  NO_STORE_CHANGES,
  type StoreChangeFeed,
  type StoreChanges,
} from '@stockroom/core/adapter-kit';
import type { SqliteDatabase } from './sqlite-dialect.js';

/**
 * Commits made to the database file by other connections (other processes), read from
 * `PRAGMA data_version` on the store's write connection. SQLite changes that number whenever
 * another connection commits, and never for the connection's own commits, so this process's
 * writes (which the core invalidates itself) do not empty its cache. One pragma call, no table
 * read, no I/O beyond the WAL index in shared memory.
 *
 * SQLite does not say what changed, so a move reports `everything`.
 */
export function createSqliteChangeFeed(
  connection: SqliteDatabase,
  isOpen: () => boolean,
): StoreChangeFeed {
  const read = (): number => Number(connection.pragma('data_version', { simple: true }));
  let seen: number | undefined;
  return {
    async poll(): Promise<StoreChanges> {
      if (!isOpen()) throw new StoreUnavailableError('The SQLite stock store is closed');
      const version = read();
      const changed = seen === undefined || version !== seen;
      seen = version;
      // The first poll cannot know what was cached before it: report everything.
      return changed ? { everything: true } : NO_STORE_CHANGES;
    },
  };
}
