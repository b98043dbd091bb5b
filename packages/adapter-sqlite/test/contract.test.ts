import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StockStore } from '@stockroom/core';
import { defineStockStoreContract } from '@stockroom/core/testing';
import Database from 'better-sqlite3';
import { createSqliteStockStore, type SqliteStockStore } from '../src/index.js';

const tempFile = () => join(tmpdir(), `stockroom-contract-${randomUUID()}.db`);
const removeFiles = async (filename: string) => {
  await Promise.all(
    ['', '-wal', '-shm'].map((suffix) => rm(`${filename}${suffix}`, { force: true })),
  );
};

// A file per test: the store opens a write and a read connection on it.
const createStore = () => createSqliteStockStore({ filename: tempFile() });
const destroyStore = (store: StockStore) => removeFiles((store as SqliteStockStore).filename);
defineStockStoreContract({ name: 'sqlite', createStore, destroyStore });
defineStockStoreContract({
  name: 'sqlite (optimistic)',
  createStore,
  destroyStore,
  locking: 'optimistic',
});

// A connection the host owns: the store shares it between transactions and reads, never closes it.
const owned = new Map<StockStore, Database.Database>();
defineStockStoreContract({
  name: 'sqlite (own connection)',
  createStore: async () => {
    const database = new Database(tempFile());
    const store = await createSqliteStockStore({ database });
    owned.set(store, database);
    return store;
  },
  destroyStore: async (store) => {
    const database = owned.get(store);
    owned.delete(store);
    database?.close();
    if (database) await removeFiles(database.name);
  },
});
