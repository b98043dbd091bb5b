import { isStockroomError } from '@stockroom/core';
import { describe, expect, it } from 'vitest';
import { createSqliteStockStore, openSqliteStockStore } from '../src/index.js';

/** An unmigrated database answers a stockroom error that says how to migrate. */
describe('SQLite store on a database that was never migrated', () => {
  it('answers STORE_UNAVAILABLE saying how to migrate, on reads and transactions', async () => {
    const store = await createSqliteStockStore({ filename: ':memory:', migrate: false });
    try {
      const read = store.reads.stockBySku('A').catch((error: unknown) => error);
      const write = store
        .transaction((transaction) => transaction.stock.read(['A']))
        .catch((error: unknown) => error);
      for (const error of [await read, await write]) {
        expect(isStockroomError(error)).toBe(true);
        expect(error).toMatchObject({ code: 'STORE_UNAVAILABLE' });
        expect((error as Error).message).toMatch(/no such table: .*migrate: true.*migrateToLatest/);
      }
    } finally {
      await store.close();
    }
  });

  it('openSqliteStockStore migrates by default, like openPostgresStockStore', async () => {
    const store = await openSqliteStockStore({ filename: ':memory:' });
    try {
      expect(await store.reads.stockBySku('A')).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
