import { describe, expect, it } from 'vitest';
import {
  type AvailabilityCache,
  createMemoryStockStore,
  createStockroom,
  MemoryAvailabilityCache,
} from '../src/index.js';
import { seedWarehouses } from '../src/testing/index.js';

/** A memory cache whose write-through can be held open (a slow cache update after COMMIT). */
function heldRefills(cache: AvailabilityCache) {
  let release = () => {};
  let reached = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const arrived = new Promise<void>((resolve) => {
    reached = resolve;
  });
  let holding = false;
  const wrapped = Object.create(cache) as AvailabilityCache;
  Object.defineProperty(wrapped, 'refill', {
    value: async (...args: Parameters<AvailabilityCache['refill']>) => {
      if (holding) {
        reached();
        await gate;
      }
      return cache.refill(...args);
    },
  });
  return {
    cache: wrapped,
    hold: () => {
      holding = true;
    },
    arrived,
    release,
  };
}

describe('writes pending between COMMIT and their cache update', () => {
  it('a check of this process waits for the update, then answers the written value from the cache', async () => {
    const store = createMemoryStockStore();
    const memory = new MemoryAvailabilityCache();
    const held = heldRefills(memory);
    const stockroom = createStockroom({ store, cache: held.cache });
    await seedWarehouses(stockroom);
    const restock = (quantity: number) =>
      stockroom.adjustments.adjust({ sku: 'A', warehouseId: 'paris', type: 'RESTOCK', quantity });
    await restock(5);
    expect((await stockroom.availability.check({ sku: 'A', quantity: 1 })).availableQuantity).toBe(
      5,
    );

    held.hold();
    const write = restock(2);
    await held.arrived; // committed; the cache still holds 5
    const check = stockroom.availability.check({ sku: 'A', quantity: 1 });
    held.release();
    expect((await check).availableQuantity).toBe(7);
    await write;
    expect(stockroom.stats.cache).toMatchObject({ hits: 1, misses: 1 });
    expect(memory.stats.refills).toBe(1);
  });

  it('a check that waited longer than pendingWriteWaitMs reads the store', async () => {
    const store = createMemoryStockStore();
    const held = heldRefills(new MemoryAvailabilityCache());
    const stockroom = createStockroom({
      store,
      cache: held.cache,
      policies: { pendingWriteWaitMs: 20 },
    });
    await seedWarehouses(stockroom);
    const restock = (quantity: number) =>
      stockroom.adjustments.adjust({ sku: 'A', warehouseId: 'paris', type: 'RESTOCK', quantity });
    await restock(5);
    await stockroom.availability.check({ sku: 'A', quantity: 1 });

    held.hold();
    const write = restock(2);
    await held.arrived;
    const before = stockroom.stats.cache.misses;
    expect((await stockroom.availability.check({ sku: 'A', quantity: 1 })).availableQuantity).toBe(
      7,
    );
    expect(stockroom.stats.cache.misses).toBe(before + 1);
    held.release();
    await write;
  });
});
