import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock, MemoryEventPublisher } from '@stockroom/core';
import { unavailableService } from '@stockroom/core/testing';
import pg from 'pg';
import { type Logger, pino } from 'pino';
import { keyIdOf } from '../src/auth.js';
import { loadConfig } from '../src/config.js';
import { type RunningService, startService } from '../src/start-service.js';

/** The keys every test server accepts. */
export const KEYS = {
  admin: `admin-${randomBytes(12).toString('hex')}`,
  storefront: `store-${randomBytes(12).toString('hex')}`,
  readonly: `read-${randomBytes(12).toString('hex')}`,
  /** A storefront key bound to the sales channel `west` (STOCKROOM_KEY_CHANNELS). */
  westStorefront: `west-${randomBytes(12).toString('hex')}`,
  /** A storefront key shown quantities capped at 10, in no channel. */
  cappedStorefront: `capped-${randomBytes(12).toString('hex')}`,
} as const;

/** A role name, or `none` for no key, or `bogus` for an unknown one. */
export type Caller = keyof typeof KEYS | 'none' | 'bogus';

/** One HTTP answer, its body parsed when it is JSON. */
// biome-ignore lint/suspicious/noExplicitAny: bodies are whatever the server sent; assertions check them
export interface Answer<T = any> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
  readonly text: string;
}

/** Options of one request. */
export interface CallOptions {
  readonly as?: Caller;
  readonly body?: unknown;
  /** Sent as is (not JSON-encoded). */
  readonly raw?: string | Uint8Array;
  readonly headers?: Record<string, string>;
  readonly idempotencyKey?: string;
}

/** A started test server and helpers to call it. */
export interface TestServer {
  readonly service: RunningService;
  readonly clock: ManualClock;
  readonly publisher: MemoryEventPublisher;
  readonly url: string;
  // biome-ignore lint/suspicious/noExplicitAny: see Answer
  call<T = any>(method: string, path: string, options?: CallOptions): Promise<Answer<T>>;
  close(): Promise<void>;
}

/** Where a test server keeps its data. */
export type Backend =
  | { readonly kind: 'sqlite' }
  | { readonly kind: 'memory' }
  | { readonly kind: 'postgres'; readonly url: string; readonly schema: string };

/** The Postgres database of the Postgres variant. */
export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function postgresReachable(): Promise<boolean> {
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

/** The skip reason of the Postgres variant (false when PostgreSQL answers; throws under CI). */
export async function postgresSkipReason(): Promise<string | false> {
  return unavailableService(
    'PostgreSQL',
    await postgresReachable(),
    DATABASE_URL.replace(/\/\/[^@]*@/, '//'),
  );
}

/** A schema name unique to this file and run. */
export function uniqueSchema(label: string): string {
  return `srv_${label}_${process.pid.toString(36)}${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
}

/** Drops a test schema. */
export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/**
 * Starts the real server (real HTTP, ephemeral port) on the given backend, with a manual clock,
 * an in-memory publisher, the three test keys, schedules off and every success body checked
 * against its schema.
 */
export async function startTestServer(
  backend: Backend = { kind: 'sqlite' },
  env: Record<string, string> = {},
  options: {
    readonly configuredPublisher?: boolean;
    /** Replaces the silent test logger (a test that reads the log lines). */
    readonly logger?: Logger;
    /** `false`: every request through the Express app (see ServiceOverrides.directRoutes). */
    readonly directRoutes?: boolean;
  } = {},
): Promise<TestServer> {
  const dataDir = env.STOCKROOM_DATA_DIR ?? (await mkdtemp(join(tmpdir(), 'stockroom-server-')));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    STOCKROOM_DATA_DIR: dataDir,
    STOCKROOM_API_KEYS: `${KEYS.admin}:admin,${KEYS.storefront}:storefront,${KEYS.readonly}:readonly,${KEYS.westStorefront}:storefront,${KEYS.cappedStorefront}:storefront`,
    STOCKROOM_KEY_CHANNELS: `${keyIdOf(KEYS.westStorefront)}=west,${keyIdOf(KEYS.cappedStorefront)}=/capped:10`,
    STOCKROOM_JOBS: '0',
    LOG_LEVEL: 'silent',
    ...(backend.kind === 'memory' ? { DATABASE_URL: 'memory:' } : {}),
    ...(backend.kind === 'postgres'
      ? { DATABASE_URL: backend.url, DATABASE_SCHEMA: backend.schema }
      : {}),
    ...env,
  });
  const clock = new ManualClock('2026-03-01T09:00:00.000Z');
  const publisher = new MemoryEventPublisher();
  let service: RunningService;
  try {
    service = await startService(config, {
      clock,
      ...(options.configuredPublisher ? {} : { publisher }),
      checkResponses: true,
      ...(options.directRoutes === undefined ? {} : { directRoutes: options.directRoutes }),
      logger: options.logger ?? pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    });
  } catch (error) {
    if (env.STOCKROOM_DATA_DIR === undefined) await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  const call = async <T>(
    method: string,
    path: string,
    options: CallOptions = {},
  ): Promise<Answer<T>> => {
    const as = options.as ?? 'admin';
    const headers: Record<string, string> = { ...options.headers };
    if (as === 'bogus') headers.authorization = 'Bearer not-a-key-at-all-0000';
    else if (as !== 'none') headers.authorization = `Bearer ${KEYS[as]}`;
    if (options.idempotencyKey !== undefined) headers['idempotency-key'] = options.idempotencyKey;
    let body: string | Uint8Array | undefined;
    if (options.raw !== undefined) body = options.raw;
    else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(`${service.url}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body }),
    });
    const text = await response.text();
    const type = response.headers.get('content-type') ?? '';
    return {
      status: response.status,
      headers: response.headers,
      body: (type.includes('json') && text ? JSON.parse(text) : text) as T,
      text,
    };
  };
  return {
    service,
    clock,
    publisher,
    url: service.url,
    call,
    async close() {
      await service.close();
      if (env.STOCKROOM_DATA_DIR === undefined) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
