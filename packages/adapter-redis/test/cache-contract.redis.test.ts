import { defineAvailabilityCacheContract, unavailableService } from '@stockroom/core/testing';
import type { Redis } from 'ioredis';
import { describe } from 'vitest';
import { createRedisAdapter } from '../src/index.js';
import { connectRedis, isRedisReachable, REDIS_URL, uniquePrefix } from './redis-services.js';

const skip = unavailableService('Redis', await isRedisReachable(REDIS_URL), REDIS_URL);

/** Deletes every key under `prefix` (never anything else). */
async function dropPrefix(client: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) await client.del(...keys);
  } while (cursor !== '0');
}

describe.skipIf(skip)('Redis availability cache', () => {
  // Two adapters on two clients and one prefix: two processes sharing one Redis.
  defineAvailabilityCacheContract('Redis (single node)', {
    async openPair() {
      const prefix = uniquePrefix('cache-contract');
      const clients = [await connectRedis(REDIS_URL), await connectRedis(REDIS_URL)];
      const [first, second] = clients.map((client) => createRedisAdapter({ client, prefix }));
      return {
        first: first!.cache,
        second: second!.cache,
        async close() {
          await dropPrefix(clients[0]!, prefix);
          for (const client of clients) await client.quit();
        },
      };
    },
    runs: 15,
  });
});
