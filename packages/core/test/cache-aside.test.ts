import { describe, expect, it } from 'vitest';
import {
  createMemoryStockStore,
  createStockroom,
  type InventoryStock,
  MemoryAvailabilityCache,
  type StockStore,
} from '../src/index.js';
import { seedWarehouses, stock } from '../src/testing/index.js';

/** A store whose next `stockBySku` read takes its snapshot at once but answers only when released. */
function withHeldRead(store: StockStore): {
  store: StockStore;
  release: () => void;
  held: Promise<void>;
} {
  let release = () => {};
  let reached = () => {};
  const held = new Promise<void>((resolve) => {
    reached = resolve;
  });
  let armed = true;
  const reads = Object.create(store.reads) as StockStore['reads'];
  reads.stockBySku = async (sku: string): Promise<InventoryStock[]> => {
    const rows = await store.reads.stockBySku(sku);
    if (!armed) return rows;
    armed = false;
    await new Promise<void>((resolve) => {
      release = resolve;
      reached();
    });
    return rows;
  };
  const wrapped = Object.create(store) as StockStore;
  Object.defineProperty(wrapped, 'reads', { value: reads });
  return { store: wrapped, release: () => release(), held };
}

describe('cache-aside availability', () => {
  it('a fill that raced a committed change is not stored, so the next check sees the change', async () => {
    const base = createMemoryStockStore();
    const setup = createStockroom({ store: base });
    await seedWarehouses(setup);
    await stock(setup, 'A', 'paris', 5);
    const gate = withHeldRead(base);
    const cache = new MemoryAvailabilityCache();
    const stockroom = createStockroom({ store: gate.store, cache });
    const slowCheck = stockroom.availability.check({ sku: 'A', quantity: 1 });
    await gate.held;
    await stockroom.adjustments.adjust({
      sku: 'A',
      warehouseId: 'paris',
      type: 'RESTOCK',
      quantity: 3,
    });
    gate.release();
    expect((await slowCheck).availableQuantity).toBe(5);
    expect(cache.stats.sets).toBe(0);
    expect((await stockroom.availability.check({ sku: 'A', quantity: 1 })).availableQuantity).toBe(
      8,
    );
    expect((await stockroom.availability.check({ sku: 'A', quantity: 1 })).availableQuantity).toBe(
      8,
    );
    expect(cache.stats).toMatchObject({ sets: 1, hits: 1 });
  });

  it('a warehouse created then stocked is in the very next check', async () => {
    const cache = new MemoryAvailabilityCache();
    const stockroom = createStockroom({ store: createMemoryStockStore(), cache });
    await seedWarehouses(stockroom);
    await stock(stockroom, 'A', 'paris', 5);
    // Loads the warehouse list (and caches A) before the new warehouse exists.
    expect((await stockroom.availability.check({ sku: 'A', quantity: 1 })).warehouses).toEqual([
      { warehouseId: 'paris', warehouseName: expect.any(String), availableQuantity: 5 },
    ]);
    await stockroom.warehouses.create({ id: 'oslo', name: 'Oslo' });
    await stock(stockroom, 'A', 'oslo', 7);
    const answer = await stockroom.availability.check({ sku: 'A', quantity: 1 });
    expect(answer.availableQuantity).toBe(12);
    expect(answer.warehouses.map((line) => [line.warehouseId, line.availableQuantity])).toEqual([
      ['oslo', 7],
      ['paris', 5],
    ]);
  });

  it('a warehouse change is seen by the next check even when the SKU is cached', async () => {
    const cache = new MemoryAvailabilityCache();
    const stockroom = createStockroom({ store: createMemoryStockStore(), cache });
    await seedWarehouses(stockroom);
    await stock(stockroom, 'A', 'paris', 5);
    await stockroom.availability.check({ sku: 'A', quantity: 1 });
    await stockroom.warehouses.update('paris', { status: 'MAINTENANCE' });
    const answer = await stockroom.availability.check({ sku: 'A', quantity: 1 });
    expect(answer).toMatchObject({ availableQuantity: 0, warehouses: [] });
    expect(cache.stats.hits).toBe(1);
  });

  it('a fill right after a write is kept: the checks after it are hits', async () => {
    const cache = new MemoryAvailabilityCache();
    const stockroom = createStockroom({ store: createMemoryStockStore(), cache });
    await seedWarehouses(stockroom);
    await stock(stockroom, 'A', 'paris', 5);
    await stock(stockroom, 'A', 'paris', 3);
    const answers = [];
    for (let index = 0; index < 3; index += 1)
      answers.push(await stockroom.availability.check({ sku: 'A', quantity: 1 }));
    expect(answers.map((answer) => answer.availableQuantity)).toEqual([8, 8, 8]);
    expect(stockroom.stats.cache).toMatchObject({ misses: 1, hits: 2 });
    expect(answers[2]!.rowVersions).toEqual({ paris: 2 });
  });

  it('concurrent misses of one SKU share one store read', async () => {
    const base = createMemoryStockStore();
    const setup = createStockroom({ store: base });
    await seedWarehouses(setup);
    await stock(setup, 'A', 'paris', 5);
    const gate = withHeldRead(base);
    const stockroom = createStockroom({ store: gate.store, cache: new MemoryAvailabilityCache() });
    const first = stockroom.availability.check({ sku: 'A', quantity: 1 });
    await gate.held;
    const others = Array.from({ length: 5 }, () =>
      stockroom.availability.check({ sku: 'A', quantity: 1 }),
    );
    // Let the five reach the cache (their feed poll and lookup are microtasks) while the read
    // is still held.
    await new Promise((resolve) => setImmediate(resolve));
    gate.release();
    const answers = await Promise.all([first, ...others]);
    expect(answers.map((answer) => answer.availableQuantity)).toEqual([5, 5, 5, 5, 5, 5]);
    expect(stockroom.stats.cache).toMatchObject({ misses: 1, coalesced: 5, hits: 0 });
  });

  it('a miss after a write does not share a read that began before the write', async () => {
    const base = createMemoryStockStore();
    const setup = createStockroom({ store: base });
    await seedWarehouses(setup);
    await stock(setup, 'A', 'paris', 5);
    const gate = withHeldRead(base);
    const stockroom = createStockroom({ store: gate.store, cache: new MemoryAvailabilityCache() });
    const first = stockroom.availability.check({ sku: 'A', quantity: 1 });
    await gate.held;
    await stock(stockroom, 'A', 'paris', 3);
    const after = await stockroom.availability.check({ sku: 'A', quantity: 1 });
    gate.release();
    expect((await first).availableQuantity).toBe(5);
    expect(after.availableQuantity).toBe(8);
    expect(stockroom.stats.cache).toMatchObject({ misses: 2, coalesced: 0 });
  });

  it('with the cache failing, a check after a write does not share a read begun before it', async () => {
    const base = createMemoryStockStore();
    const setup = createStockroom({ store: base });
    await seedWarehouses(setup);
    await stock(setup, 'A', 'paris', 5);
    const gate = withHeldRead(base);
    const broken = new MemoryAvailabilityCache();
    broken.get = async () => {
      throw new Error('cache down');
    };
    const stockroom = createStockroom({ store: gate.store, cache: broken });
    const first = stockroom.availability.check({ sku: 'A', quantity: 1 });
    await gate.held;
    await stock(stockroom, 'A', 'paris', 3);
    const after = await stockroom.availability.check({ sku: 'A', quantity: 1 });
    gate.release();
    expect((await first).availableQuantity).toBe(5);
    expect(after.availableQuantity).toBe(8);
    expect(stockroom.stats.cache).toMatchObject({ coalesced: 0, errors: 2 });
    expect(broken.stats.sets).toBe(0);
  });
});
