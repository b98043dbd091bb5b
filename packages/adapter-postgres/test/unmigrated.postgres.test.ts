import { expectUnmigratedAnswers } from '@stockroom/sql-kit/testing';
import { describe, expect, it } from 'vitest';
import { createPostgresStockStore, openPostgresStockStore } from '../src/index.js';
import { DATABASE_URL, dropSchema, skipReason, uniqueSchema } from './support.js';

/** The two SQL adapters share a shape: migrated by default; unmigrated says how to migrate. */
describe.skipIf(skipReason)('PostgreSQL store: migration defaults', () => {
  it('a store on a schema never migrated answers STORE_UNAVAILABLE saying how to migrate', async () => {
    const schema = uniqueSchema('unmigrated');
    const store = createPostgresStockStore({
      connectionString: DATABASE_URL,
      poolSize: 1,
      schema,
      migrate: false,
    });
    try {
      await expectUnmigratedAnswers(
        store,
        /^The stockroom tables do not exist \(SQLSTATE 42P01: relation ".*" does not exist\): migrate the schema first/,
      );
    } finally {
      await store.close();
    }
  });

  it('createPostgresStockStore migrates by default (before its first use), as SQLite does', async () => {
    const schema = uniqueSchema('default');
    const store = createPostgresStockStore({ connectionString: DATABASE_URL, poolSize: 1, schema });
    try {
      expect(await store.reads.stockBySku('A')).toEqual([]);
    } finally {
      await store.close();
      await dropSchema(schema);
    }
  });

  it('openPostgresStockStore migrates before it resolves, and fails at once when unreachable', async () => {
    const schema = uniqueSchema('open');
    const store = await openPostgresStockStore({
      connectionString: DATABASE_URL,
      poolSize: 1,
      schema,
    });
    try {
      // migrate() returns the run open made, which created the tables.
      expect(await store.migrate()).toContain('0001_initial');
      expect(await store.reads.warehouses({})).toEqual({ items: [], nextCursor: null });
    } finally {
      await store.close();
      await dropSchema(schema);
    }
    await expect(
      openPostgresStockStore({ connectionString: 'postgres://postgres@127.0.0.1:1/test', schema }),
    ).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
  });
});
