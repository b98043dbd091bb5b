import { unavailableService } from '@stockroom/core/testing';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { createRedisAdapter, redisClientOptions } from '../src/index.js';
import { isRedisReachable, REDIS_URL, untilReady } from './redis-services.js';
import { defineRedisSuite } from './redis-suite.js';

const skip = unavailableService('Redis', await isRedisReachable(REDIS_URL), REDIS_URL);
let client: Redis | undefined;

defineRedisSuite({
  name: 'Redis (single node)',
  skip,
  cluster: false,
  async setUp() {
    client = new Redis(REDIS_URL, redisClientOptions(2000));
    await untilReady(client);
    return client;
  },
  async tearDown() {
    await client?.quit();
  },
});

describe.skipIf(skip)('client ownership', () => {
  it('closes a client it created from a URL, and never one it was given', async () => {
    const owned = createRedisAdapter({ client: REDIS_URL });
    await owned.ready();
    await owned.close();
    await owned.close();
    expect(owned.client.status).toBe('end');

    const given = new Redis(REDIS_URL, redisClientOptions());
    await untilReady(given);
    const borrowed = createRedisAdapter({ client: given });
    await borrowed.close();
    expect(await given.ping()).toBe('PONG');
    await given.quit();
  });
});
