import { unavailableService } from '@stockroom/core/testing';
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { createRedisAdapter } from '../src/index.js';
import { connectRedis, isRedisReachable, REDIS_URL } from './redis-services.js';
import { defineRedisSuite } from './redis-suite.js';

const skip = unavailableService('Redis', await isRedisReachable(REDIS_URL), REDIS_URL);
let client: Redis | undefined;

defineRedisSuite({
  name: 'Redis (single node)',
  skip,
  cluster: false,
  async setUp() {
    client = await connectRedis(REDIS_URL);
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

    const given = await connectRedis(REDIS_URL);
    const borrowed = createRedisAdapter({ client: given });
    await borrowed.close();
    expect(await given.ping()).toBe('PONG');
    await given.quit();
  });
});
