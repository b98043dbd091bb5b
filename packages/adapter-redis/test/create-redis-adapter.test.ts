// Without any Redis at all: every call fails fast and the stockroom works without it.
import { createMemoryStockStore, createStockroom } from '@stockroom/core';
import { describe, expect, it } from 'vitest';
import { createRedisAdapter, withReservationCache } from '../src/index.js';

// Nothing listens on port 1: every connection attempt is refused at once.
const NOWHERE = 'redis://127.0.0.1:1';

describe('createRedisAdapter without a reachable Redis', () => {
  it('fails each call fast, and stockroom calls succeed without Redis', async () => {
    const redis = createRedisAdapter({ client: NOWHERE, prefix: 'nowhere:' });
    await expect(redis.ready(200)).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    await expect(redis.cache.get('A')).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
      retryable: true,
    });
    expect(await redis.jobLease.acquire('expiry', 1000)).toBeNull();

    const store = createMemoryStockStore();
    const stockroom = createStockroom({
      store: withReservationCache(store, { reservationCache: redis.reservationCache }),
      cache: redis.cache,
      soldOutGuard: redis.soldOutGuard,
    });
    await stockroom.warehouses.create({ id: 'paris', name: 'Paris' });
    await stockroom.adjustments.adjust({
      sku: 'A',
      warehouseId: 'paris',
      type: 'RESTOCK',
      quantity: 1,
    });
    const held = await stockroom.reservations.reserve({ items: [{ sku: 'A', quantity: 1 }] });
    expect(await stockroom.reservations.get(held.id)).toEqual(held);
    await expect(
      stockroom.reservations.reserve({ items: [{ sku: 'A', quantity: 1 }] }),
    ).rejects.toMatchObject({ code: 'INSUFFICIENT_STOCK' });
    expect(await stockroom.availability.check({ sku: 'A', quantity: 1 })).toMatchObject({
      isAvailable: false,
      availableQuantity: 0,
    });
    expect(stockroom.stats.cache.errors).toBeGreaterThan(0);
    expect(redis.stats.errors).toBeGreaterThan(stockroom.stats.cache.errors);

    const started = performance.now();
    await stockroom.close();
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('refuses a prefix with braces', () => {
    expect(() => createRedisAdapter({ client: NOWHERE, prefix: '{shop}:' })).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
  });
});
