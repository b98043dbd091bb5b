import { Redis } from 'ioredis';
import pg from 'pg';
import type { BenchOptions } from './options.js';

/** A service the benchmarks need, and whether it answered. */
export type ServiceState =
  | { readonly url: string; readonly version: string; readonly unavailable?: undefined }
  | { readonly url: string; readonly version?: undefined; readonly unavailable: string };

/** The services found at start. */
export interface Environment {
  readonly postgres: ServiceState;
  readonly redis: ServiceState;
}

/** Hides a password in a connection URL before it is printed or written. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}

async function probePostgres(url: string): Promise<ServiceState> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    const result = await client.query<{ server_version: string }>('SHOW server_version');
    return { url: redactUrl(url), version: result.rows[0]?.server_version ?? 'unknown' };
  } catch (error) {
    return { url: redactUrl(url), unavailable: `PostgreSQL unreachable: ${describe(error)}` };
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function probeRedis(url: string): Promise<ServiceState> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 3000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const info = await client.info('server');
    const version = /redis_version:([^\r\n]+)/.exec(info)?.[1] ?? 'unknown';
    return { url: redactUrl(url), version };
  } catch (error) {
    return { url: redactUrl(url), unavailable: `Redis unreachable: ${describe(error)}` };
  } finally {
    client.disconnect();
  }
}

/** Probes PostgreSQL and Redis once, at start. */
export async function probeEnvironment(options: BenchOptions): Promise<Environment> {
  const [postgres, redis] = await Promise.all([
    probePostgres(options.databaseUrl),
    probeRedis(options.redisUrl),
  ]);
  return { postgres, redis };
}

/** A short description of an unknown thrown value. */
export function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' && !error.message.includes(code)
      ? `${code}: ${error.message}`
      : error.message;
  }
  return String(error);
}

/**
 * Loads an optional package by name. A package that is not installed or not built yet gives a
 * reason to skip instead of an exception (the scenarios that need it print "skipped").
 */
export async function loadPackage<T>(
  name: string,
): Promise<{ readonly module: T } | { readonly missing: string }> {
  try {
    return { module: (await import(name)) as T };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      return { missing: `${name} is not built (npm run build) or not installed` };
    }
    return { missing: `${name} failed to load: ${describe(error)}` };
  }
}
