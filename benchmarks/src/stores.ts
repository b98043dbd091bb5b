import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryStockStore, type StockStore } from '@stockroom/core';
import pg from 'pg';
import { loadPackage } from './environment.js';
import type { ScenarioContext } from './scenario.js';

/** The stores the library runs on. */
export type StoreKind = 'memory' | 'sqlite' | 'postgres';

/** An open store and how to get rid of it (close it, drop its schema or delete its file). */
export interface StoreHandle {
  readonly kind: StoreKind;
  readonly store: StockStore;
  /** Where the store keeps its tables, for the raw-SQL ceilings that write the same tables. */
  readonly location?:
    | { readonly engine: 'postgres'; readonly pool: pg.Pool; readonly schema: string }
    | { readonly engine: 'sqlite'; readonly filename: string };
  /** Closes the store, then drops what it created. Idempotent. */
  dispose(): Promise<void>;
}

/** The part of @stockroom/adapter-postgres the benchmarks use (declared, so a missing build only skips). */
interface PostgresAdapterModule {
  createPostgresStockStore(options: {
    readonly pool: pg.Pool;
    readonly schema: string;
    readonly migrate?: boolean;
    readonly changeFeed?: boolean;
  }): StockStore & { migrate?(): Promise<unknown> };
}

/** The part of @stockroom/adapter-sqlite the benchmarks use. */
interface SqliteAdapterModule {
  createSqliteStockStore(options: {
    readonly filename: string;
    readonly cacheSizeKib?: number;
    readonly checkpointWorker?: boolean;
  }): Promise<StockStore> | StockStore;
}

/**
 * A fresh schema name: `bench_<label>_<pid>_<random>`, safe to interpolate, within PostgreSQL's
 * 63-character identifier limit (a long label is cut; the random part keeps names apart).
 */
export function uniqueSchema(label: string): string {
  const safe = label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .slice(0, 36);
  return `bench_${safe}_${process.pid}_${randomBytes(3).toString('hex')}`;
}

/** A pg pool with the benchmark's size; idle connections close quickly (the machine is shared). */
export function createPool(context: ScenarioContext, max = context.options.poolSize): pg.Pool {
  const pool = new pg.Pool({
    connectionString: context.options.databaseUrl,
    max,
    idleTimeoutMillis: 1000,
  });
  // An idle client that loses its connection emits 'error' on the pool; never crash on it.
  pool.on('error', () => undefined);
  return pool;
}

/** Drops a schema with everything in it. */
export async function dropSchema(context: ScenarioContext, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: context.options.databaseUrl });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

function once(dispose: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => {
    done ??= dispose();
    return done;
  };
}

/**
 * Opens a fresh, empty store of a kind: memory; SQLite in a temporary directory; Postgres in a
 * fresh schema of its own pool. Returns a reason instead when the adapter or the service is
 * missing.
 */
export async function openStore(
  kind: StoreKind,
  context: ScenarioContext,
  label: string,
  postgres: { readonly changeFeed?: boolean } = {},
): Promise<StoreHandle | { readonly skipped: string }> {
  if (kind === 'memory') {
    const store = createMemoryStockStore();
    return { kind, store, dispose: once(() => store.close()) };
  }
  if (kind === 'sqlite') {
    const loaded = await loadPackage<SqliteAdapterModule>('@stockroom/adapter-sqlite');
    if ('missing' in loaded) return { skipped: loaded.missing };
    const directory = await mkdtemp(join(tmpdir(), 'stockroom-bench-'));
    let store: StockStore;
    const filename = join(directory, 'bench.db');
    try {
      store = await loaded.module.createSqliteStockStore({ ...sqliteStoreOptions(), filename });
    } catch (error) {
      await rm(directory, { recursive: true, force: true });
      throw error;
    }
    return {
      kind,
      store,
      location: { engine: 'sqlite', filename },
      dispose: once(async () => {
        await store.close();
        await rm(directory, { recursive: true, force: true });
      }),
    };
  }
  const unavailable = context.environment.postgres.unavailable;
  if (unavailable) return { skipped: unavailable };
  const loaded = await loadPackage<PostgresAdapterModule>('@stockroom/adapter-postgres');
  if ('missing' in loaded) return { skipped: loaded.missing };
  const schema = uniqueSchema(label);
  const pool = createPool(context);
  const store = loaded.module.createPostgresStockStore({
    pool,
    schema,
    migrate: true,
    ...(postgres.changeFeed ? { changeFeed: true } : {}),
  });
  const dispose = once(async () => {
    await store.close();
    await pool.end();
    await dropSchema(context, schema);
  });
  try {
    await store.migrate?.();
  } catch (error) {
    await dispose().catch(() => undefined);
    throw error;
  }
  return { kind, store, location: { engine: 'postgres', pool, schema }, dispose };
}

/**
 * SQLite store options for a measurement, from `SQLITE_STORE_OPTIONS` (JSON, e.g.
 * `{"cacheSizeKib":2000,"checkpointWorker":false}`); none by default.
 */
function sqliteStoreOptions(): { cacheSizeKib?: number; checkpointWorker?: boolean } {
  const text = process.env.SQLITE_STORE_OPTIONS;
  if (!text) return {};
  // Only these two: nothing else the JSON holds reaches the store.
  const { cacheSizeKib, checkpointWorker } = JSON.parse(text) as {
    cacheSizeKib?: number;
    checkpointWorker?: boolean;
  };
  return { cacheSizeKib, checkpointWorker };
}
