// Redis dies in the middle of a flash sale: nothing the store decides changes, and the cache is
// used again once Redis is back. Runs against a dedicated redis-server, never the shared one.

import { once } from 'node:events';
import {
  createMemoryStockStore,
  createStockroom,
  isInsufficientStock,
  isStockroomError,
  type Stockroom,
} from '@stockroom/core';
import { replayLedger, reservedMismatches, unavailableService } from '@stockroom/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisAdapter } from '../src/index.js';
import {
  connectRedis,
  hasRedisBinaries,
  type RedisServer,
  startRedisServer,
  uniquePrefix,
  waitFor,
} from './redis-services.js';

const skip = unavailableService(
  'redis-server',
  hasRedisBinaries(),
  'the outage test starts its own redis-server and needs it on PATH',
);

const STOCK = 30;
const WAVES = 12;
const WAVE_SIZE = 5;
const CRASH_AT_WAVE = 4;

interface SaleResult {
  /** Reservations admitted in each wave of concurrent requests. */
  readonly admittedPerWave: number[];
  refused: number;
  /** Anything other than admitted or INSUFFICIENT_STOCK. */
  readonly failures: string[];
  /** Milliseconds each reservation took after the crash. */
  readonly latenciesAfterCrash: number[];
}

/** 60 one-unit reservations for 30 units, in waves of 5 concurrent requests plus a check each. */
async function flashSale(
  stockroom: Stockroom,
  onWave: (wave: number) => Promise<void> = async () => {},
): Promise<SaleResult> {
  await stockroom.warehouses.create({ id: 'paris', name: 'Paris' });
  await stockroom.adjustments.adjust({
    sku: 'HOT',
    warehouseId: 'paris',
    type: 'RESTOCK',
    quantity: STOCK,
  });
  const result: SaleResult = {
    admittedPerWave: [],
    refused: 0,
    failures: [],
    latenciesAfterCrash: [],
  };
  for (let wave = 0; wave < WAVES; wave += 1) {
    const attempts = Array.from({ length: WAVE_SIZE }, async () => {
      const started = performance.now();
      try {
        await stockroom.reservations.reserve({ items: [{ sku: 'HOT', quantity: 1 }] });
        return 'admitted';
      } catch (error) {
        if (isInsufficientStock(error)) return 'refused';
        return isStockroomError(error) ? error.code : String(error);
      } finally {
        if (wave >= CRASH_AT_WAVE) result.latenciesAfterCrash.push(performance.now() - started);
      }
    });
    const check = stockroom.availability.check({ sku: 'HOT', quantity: 1 });
    // Runs while this wave's requests are in flight.
    await onWave(wave);
    const outcomes = await Promise.all(attempts);
    await check;
    result.admittedPerWave.push(outcomes.filter((outcome) => outcome === 'admitted').length);
    result.refused += outcomes.filter((outcome) => outcome === 'refused').length;
    result.failures.push(
      ...outcomes.filter((outcome) => outcome !== 'admitted' && outcome !== 'refused'),
    );
  }
  return result;
}

describe.skipIf(skip)('Redis outage (dedicated redis-server)', () => {
  let server: RedisServer;

  beforeAll(async () => {
    server = await startRedisServer();
  }, 30_000);

  afterAll(async () => {
    await server?.stop();
  });

  it('decides every reservation as the store does while Redis dies, and uses Redis again once back', async () => {
    const control = await flashSale(createStockroom({ store: createMemoryStockStore() }));
    expect(control.admittedPerWave).toEqual([5, 5, 5, 5, 5, 5, 0, 0, 0, 0, 0, 0]);

    const redis = createRedisAdapter({ client: server.url, prefix: uniquePrefix('outage') });
    await redis.ready();
    const store = createMemoryStockStore();
    const stockroom = createStockroom({
      store,
      cache: redis.cache,
      soldOutGuard: redis.soldOutGuard,
    });

    const sale = await flashSale(stockroom, async (wave) => {
      if (wave === CRASH_AT_WAVE) await server.crash();
    });

    expect(sale.admittedPerWave).toEqual(control.admittedPerWave);
    expect(sale.refused).toBe(control.refused);
    expect(sale.refused).toBe(WAVES * WAVE_SIZE - STOCK);
    expect(sale.failures).toEqual([]);
    expect(stockroom.stats.reservations).toEqual({ admitted: STOCK, refused: 30, failed: 0 });
    expect((await stockroom.availability.get('HOT')).warehouses[0]).toMatchObject({
      available: 0,
      reserved: STOCK,
    });
    expect(await replayLedger(store)).toEqual([]);
    expect(await reservedMismatches(store)).toEqual([]);
    // Redis was used before the crash, failed fast after it, and every failure was counted.
    expect(redis.stats.cache.hits + redis.stats.cache.misses).toBeGreaterThan(0);
    expect(redis.stats.errors).toBeGreaterThan(0);
    expect(stockroom.stats.cache.errors).toBeGreaterThan(0);
    expect(Math.max(...sale.latenciesAfterCrash)).toBeLessThan(2000);
    process.stdout.write(
      `[outage] after the crash: ${sale.latenciesAfterCrash.length} reservations, max ${Math.max(...sale.latenciesAfterCrash).toFixed(1)} ms; redis errors ${redis.stats.errors}, stockroom cache errors ${stockroom.stats.cache.errors}\n`,
    );

    // Redis comes back (empty) on the same port; the client reconnects by itself.
    await server.restart();
    await redis.ready(15_000);
    const hits = redis.stats.cache.hits;
    await stockroom.availability.check({ sku: 'HOT', quantity: 1 });
    await stockroom.availability.check({ sku: 'HOT', quantity: 1 });
    expect(redis.stats.cache.hits).toBe(hits + 1);
    expect(redis.stats.recoveries).toBeGreaterThanOrEqual(1);

    // The sold-out guard is back too: the store refuses once and marks the SKU, then Redis refuses.
    const refusals = stockroom.stats.soldOutRefusals;
    const failed = { items: [{ sku: 'HOT', quantity: 1 }] };
    await expect(stockroom.reservations.reserve(failed)).rejects.toMatchObject({
      code: 'INSUFFICIENT_STOCK',
    });
    await expect(stockroom.reservations.reserve(failed)).rejects.toMatchObject({
      code: 'INSUFFICIENT_STOCK',
    });
    expect(stockroom.stats.soldOutRefusals).toBe(refusals + 1);
    await stockroom.close();
    expect(redis.client.status).toBe('end');
  }, 60_000);

  it('answers without Redis when Redis stalls: every call is cut at the command timeout', async () => {
    const redis = createRedisAdapter({
      client: server.url,
      prefix: uniquePrefix('stall'),
      commandTimeoutMs: 100,
    });
    await redis.ready();
    const admin = await connectRedis(server.url, 5000);
    const stockroom = createStockroom({
      store: createMemoryStockStore(),
      cache: redis.cache,
      soldOutGuard: redis.soldOutGuard,
    });
    try {
      await stockroom.warehouses.create({ id: 'paris', name: 'Paris' });
      await stockroom.adjustments.adjust({
        sku: 'A',
        warehouseId: 'paris',
        type: 'RESTOCK',
        quantity: 5,
      });
      // Redis stops answering anyone for 3 s (connections stay open: no error, only silence).
      await admin.call('CLIENT', 'PAUSE', '3000', 'ALL');
      const started = performance.now();
      const held = await stockroom.reservations.reserve({ items: [{ sku: 'A', quantity: 2 }] });
      const check = await stockroom.availability.check({ sku: 'A', quantity: 1 });
      const elapsed = performance.now() - started;
      expect(held.status).toBe('ACTIVE');
      expect(check.availableQuantity).toBe(3);
      // Every Redis call is cut at 100 ms (about 600 ms in all here, some calls in parallel):
      // well under the pause, with room for a busy machine, never the 3 s Redis is silent.
      expect(elapsed).toBeLessThan(2000);
      expect(redis.stats.errors).toBeGreaterThanOrEqual(4);
      expect(stockroom.stats.cache.errors).toBe(redis.stats.errors);
      process.stdout.write(
        `[stall] reserve + check with Redis paused: ${elapsed.toFixed(0)} ms, ${redis.stats.errors} calls cut\n`,
      );
    } finally {
      await admin.ping(); // answered once the pause is over: the next test gets a live Redis
      await stockroom.close();
      admin.disconnect();
    }
  }, 30_000);

  it('replays an invalidation that failed while Redis was unreachable as soon as it answers', async () => {
    const [client, observer] = await Promise.all([
      connectRedis(server.url, 250),
      connectRedis(server.url, 250),
    ]);
    const redis = createRedisAdapter({ client, prefix: uniquePrefix('partition') });
    const stockroom = createStockroom({
      store: createMemoryStockStore(),
      cache: redis.cache,
      soldOutGuard: redis.soldOutGuard,
    });
    const key = redis.keys.availability('A');
    try {
      await stockroom.warehouses.create({ id: 'paris', name: 'Paris' });
      const restock = (quantity: number) =>
        stockroom.adjustments.adjust({ sku: 'A', warehouseId: 'paris', type: 'RESTOCK', quantity });
      await restock(10);
      expect(
        (await stockroom.availability.check({ sku: 'A', quantity: 1 })).availableQuantity,
      ).toBe(10);
      expect(await observer.exists(key)).toBe(1);

      // This instance loses Redis (a partition: Redis keeps the entry), and the stock changes.
      const ended = once(client, 'end');
      client.disconnect();
      await ended;
      await restock(5);
      // The pending mark (taken before COMMIT), the write-through and the sold-out clear.
      expect(stockroom.stats.cache.errors).toBe(3);
      expect(redis.stats.repairs.queued).toBe(2);
      expect(await observer.get(key)).toContain('"available":10');

      await client.connect();
      await waitFor(() => redis.stats.repairs.replayed === 2, {
        what: 'the replayed invalidation and sold-out clear',
      });
      expect(await observer.exists(key)).toBe(0);
      expect(
        (await stockroom.availability.check({ sku: 'A', quantity: 1 })).availableQuantity,
      ).toBe(15);
    } finally {
      await observer.del(
        key,
        redis.keys.availabilityStamp('A'),
        redis.keys.availabilityKnown('A'),
        redis.keys.soldOutFence('A'),
      );
      await stockroom.close();
      client.disconnect();
      observer.disconnect();
    }
  }, 30_000);
});
