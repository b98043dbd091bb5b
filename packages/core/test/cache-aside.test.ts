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
});
