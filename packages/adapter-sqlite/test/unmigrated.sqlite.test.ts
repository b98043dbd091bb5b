import { expectUnmigratedAnswers } from '@stockroom/sql-kit/testing';
import { describe, expect, it } from 'vitest';
import { createSqliteStockStore, openSqliteStockStore } from '../src/index.js';

/** An unmigrated database answers a stockroom error that says how to migrate. */
describe('SQLite store on a database that was never migrated', () => {
  it('answers STORE_UNAVAILABLE saying how to migrate, on reads and transactions', async () => {
    const store = await createSqliteStockStore({ filename: ':memory:', migrate: false });
    try {
      await expectUnmigratedAnswers(store, /no such table: .*migrate: true.*migrateToLatest/);
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
