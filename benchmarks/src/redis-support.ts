import { randomBytes } from 'node:crypto';
import type { AvailabilityCache, SoldOutGuard } from '@stockroom/core';
import { Redis } from 'ioredis';
import { loadPackage } from './environment.js';
import type { ScenarioContext } from './scenario.js';

/** The part of @stockroom/adapter-redis the benchmarks use. */
interface RedisAdapterModule {
  createRedisAdapter(options: { readonly client: string; readonly prefix: string }): {
    readonly cache: AvailabilityCache;
    readonly soldOutGuard: SoldOutGuard;
    ready(timeoutMs?: number): Promise<void>;
    close(): Promise<void>;
  };
}

/** A Redis adapter under a unique key prefix; `dispose` closes it and deletes its keys. */
export interface RedisHandle {
  readonly cache: AvailabilityCache;
  readonly soldOutGuard: SoldOutGuard;
  readonly prefix: string;
  dispose(): Promise<void>;
}

/** Opens the Redis adapter with a fresh prefix, or returns why it cannot. */
export async function openRedis(
  context: ScenarioContext,
): Promise<RedisHandle | { readonly skipped: string }> {
  const unavailable = context.environment.redis.unavailable;
  if (unavailable) return { skipped: unavailable };
  const loaded = await loadPackage<RedisAdapterModule>('@stockroom/adapter-redis');
  if ('missing' in loaded) return { skipped: loaded.missing };
  const prefix = `stockroom-bench:${process.pid}:${randomBytes(3).toString('hex')}:`;
  const adapter = loaded.module.createRedisAdapter({ client: context.options.redisUrl, prefix });
  await adapter.ready(5000);
  let disposed: Promise<void> | undefined;
  return {
    cache: adapter.cache,
    soldOutGuard: adapter.soldOutGuard,
    prefix,
    dispose() {
      disposed ??= (async () => {
        await adapter.close();
        await deleteKeys(context.options.redisUrl, prefix);
      })();
      return disposed;
    },
  };
}

/** Deletes every key under `prefix`. */
export async function deleteKeys(url: string, prefix: string): Promise<void> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await client.del(...keys);
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
}
