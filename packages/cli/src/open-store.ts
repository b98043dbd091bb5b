import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createStockroom, type Logger, type Stockroom, type StockStore } from '@stockroom/core';
import type { StoreTarget } from './store-target.js';

/**
 * Opens the store a command works on, migrated to the latest schema (as the server does at
 * start), and a stockroom over it with no publisher: events wait in the outbox for the server's
 * relay.
 */
export async function openStockroom(target: StoreTarget, logger: Logger): Promise<Stockroom> {
  let store: StockStore;
  if (target.kind === 'sqlite') {
    const { createSqliteStockStore } = await import('@stockroom/adapter-sqlite');
    await mkdir(dirname(target.filename), { recursive: true });
    store = await createSqliteStockStore({ filename: target.filename, logger });
  } else {
    const { createPostgresStockStore, migrateToLatest } = await import(
      '@stockroom/adapter-postgres'
    );
    const schema = target.schema === undefined ? {} : { schema: target.schema };
    await migrateToLatest({ connectionString: target.url, logger, ...schema });
    store = createPostgresStockStore({ connectionString: target.url, logger, ...schema });
  }
  return createStockroom({ store, logger });
}

/** Migrates a store to the latest schema; returns the names of the migrations it applied. */
export async function migrateStore(target: StoreTarget, logger: Logger): Promise<string[]> {
  if (target.kind === 'sqlite') {
    const { migrateToLatest } = await import('@stockroom/adapter-sqlite');
    const { default: Database } = await import('better-sqlite3');
    await mkdir(dirname(target.filename), { recursive: true });
    const database = new Database(target.filename);
    try {
      const summary = await migrateToLatest(database, { logger });
      return [...summary.executed];
    } finally {
      database.close();
    }
  }
  const { migrateToLatest } = await import('@stockroom/adapter-postgres');
  const schema = target.schema === undefined ? {} : { schema: target.schema };
  return migrateToLatest({ connectionString: target.url, logger, ...schema });
}
