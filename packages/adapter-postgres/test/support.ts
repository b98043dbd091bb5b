import { randomBytes } from 'node:crypto';
import { unavailableService } from '@stockroom/core/testing';
import pg from 'pg';
import {
  createPostgresStockStore,
  type PostgresStockStore,
  type PostgresStockStoreOptions,
} from '../src/index.js';

/** The database under test: `DATABASE_URL`, else the local trust-auth `test` database. */
export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function isReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/** The skip reason for `describe.skipIf` (false when PostgreSQL answers; throws under CI). */
export const skipReason = unavailableService(
  'PostgreSQL',
  await isReachable(),
  DATABASE_URL.replace(/\/\/[^@]*@/, '//'),
);

/** A schema name unique to this file, this test and this run (≤ 63 characters). */
export function uniqueSchema(label: string): string {
  const suffix = `${process.pid.toString(36)}${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  return `sr_${label
    .replace(/[^a-z0-9]/gi, '_')
    .toLowerCase()
    .slice(0, 30)}_${suffix}`;
}

/** Runs one statement on a short-lived connection (schema drops, sabotage). */
export async function adminQuery(text: string, values: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    return await client.query(text, values);
  } finally {
    await client.end();
  }
}

/** Drops a test schema and everything in it. */
export async function dropSchema(schema: string): Promise<void> {
  await adminQuery(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
}

/** A migrated store in a fresh schema; on a failed migration, closes and drops it again. */
export async function freshStore(
  label: string,
  options: Partial<PostgresStockStoreOptions> = {},
): Promise<PostgresStockStore> {
  const store = createPostgresStockStore({
    connectionString: DATABASE_URL,
    poolSize: 4,
    schema: uniqueSchema(label),
    ...options,
  });
  try {
    await store.migrate();
  } catch (error) {
    await store.close();
    await dropSchema(store.schema);
    throw error;
  }
  return store;
}
