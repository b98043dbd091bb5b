import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StockStore } from '@stockroom/core';
import { defineStockStoreContract } from '@stockroom/core/testing';
import { createSqliteStockStore, type SqliteStockStore } from '../src/index.js';

const createStore = () =>
  createSqliteStockStore({ filename: join(tmpdir(), `stockroom-contract-${randomUUID()}.db`) });
const destroyStore = async (store: StockStore) => {
  const { filename } = store as SqliteStockStore;
  await Promise.all(['', '-wal', '-shm'].map((suffix) => rm(`${filename}${suffix}`, { force: true })));
};

defineStockStoreContract({ name: 'sqlite', createStore, destroyStore });
defineStockStoreContract({ name: 'sqlite (pessimistic)', createStore, destroyStore, locking: 'pessimistic' });
