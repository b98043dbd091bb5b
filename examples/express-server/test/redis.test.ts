import { randomBytes } from 'node:crypto';
import { unavailableService } from '@stockroom/core/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, metric, restock } from './suites/helpers.js';
import { startTestServer, type TestServer } from './support.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

async function reachable(): Promise<boolean> {
  const client = new Redis(REDIS_URL, {
    lazyConnect: true,
    connectTimeout: 2000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.ping();
    return true;
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

const skip = unavailableService('Redis', await reachable(), REDIS_URL);
const prefix = `srv-test-${process.pid}-${randomBytes(3).toString('hex')}`;

describe.skipIf(skip)('with Redis (cache, sold-out guard, leases, rate limits)', () => {
  let server: TestServer;
  let redis: Redis;
  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    server = await startTestServer(
      { kind: 'memory' },
      { REDIS_URL, REDIS_PREFIX: prefix, STOCKROOM_RATE_LIMIT_PER_MINUTE: '40' },
    );
    await server.call('POST', '/api/v1/warehouses', { body: { id: 'paris', name: 'Paris' } });
  });
  afterAll(async () => {
    await server?.close();
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  it('reports the cache in /readyz', async () => {
    const ready = await server.call('GET', '/readyz', { as: 'admin' });
    expect(ready.body.components.cache).toEqual({ status: 'up', kind: 'redis' });
  });

  it('serves repeated checks from the cache, and drops the entry on change', async () => {
    const hits = await metric(server, 'stockroom_cache_hits_total');
    const misses = await metric(server, 'stockroom_cache_misses_total');
    // A SKU nobody changed lately (right after a change the adapter refuses fills for a moment).
    for (let index = 0; index < 2; index += 1) {
      const answer = await server.call(
        'GET',
        '/api/v1/inventory/check?sku=RC-UNTOUCHED&quantity=1',
      );
      expect(answer.body.availableQuantity).toBe(0);
    }
    expect(await metric(server, 'stockroom_cache_misses_total')).toBe(misses + 1);
    expect(await metric(server, 'stockroom_cache_hits_total')).toBe(hits + 1);
    await restock(server, 'RC-1', 'paris', 5);
    expect(
      (await server.call('GET', '/api/v1/inventory/check?sku=RC-1&quantity=1')).body
        .availableQuantity,
    ).toBe(5);
    await restock(server, 'RC-1', 'paris', 2);
    expect(
      (await server.call('GET', '/api/v1/inventory/check?sku=RC-1&quantity=1')).body
        .availableQuantity,
    ).toBe(7);
  });

  it('runs jobs under a Redis lease', async () => {
    expect((await server.call('POST', '/api/v1/admin/jobs/expire-reservations/run')).body).toEqual({
      job: 'expire-reservations',
      processed: 0,
    });
  });

  it('counts requests per key in Redis: 429 with Retry-After past the limit', async () => {
    let limited = 0;
    for (let index = 0; index < 45; index += 1) {
      const answer = await server.call('GET', '/api/v1/warehouses', { as: 'readonly' });
      if (answer.status === 429) {
        limited += 1;
        expectProblem(answer, 429, 'RATE_LIMITED');
        expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
        expect(Number(answer.headers.get('retry-after'))).toBeLessThanOrEqual(60);
      }
    }
    expect(limited).toBe(5);
    // One counter per API key that called (admin and readonly so far).
    expect(await redis.keys(`${prefix}:rate:*`)).toHaveLength(2);
  });
});
