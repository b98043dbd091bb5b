import { describe, expect, it } from 'vitest';
import { createMemoryStockStore, createStockroom } from '../src/index.js';
import { seedWarehouses } from '../src/testing/index.js';

describe('memory store change feed', () => {
  it('reports to each handle the commits made through the others, never its own', async () => {
    const store = createMemoryStockStore();
    const other = store.handle();
    const here = createStockroom({ store });
    const there = createStockroom({ store: other });
    await seedWarehouses(here);
    expect(await other.changes?.poll()).toEqual({ everything: false, skus: [], warehouses: true });
    expect(await store.changes?.poll()).toMatchObject({ skus: [], warehouses: false });

    await here.adjustments.adjust({ sku: 'A', warehouseId: 'paris', type: 'RESTOCK', quantity: 2 });
    await there.adjustments.adjust({
      sku: 'B',
      warehouseId: 'paris',
      type: 'RESTOCK',
      quantity: 1,
    });
    await here.reservations.reserve({ items: [{ sku: 'A', quantity: 1 }] });
    expect(await other.changes?.poll()).toEqual({
      everything: false,
      skus: ['A'],
      warehouses: false,
    });
    expect(await store.changes?.poll()).toEqual({
      everything: false,
      skus: ['B'],
      warehouses: false,
    });
    expect(await other.changes?.poll()).toMatchObject({ skus: [] });

    // A rolled-back transaction is not reported; a closed handle stops listening.
    await expect(
      here.reservations.reserve({ items: [{ sku: 'A', quantity: 5 }] }),
    ).rejects.toMatchObject({ code: 'INSUFFICIENT_STOCK' });
    expect(await other.changes?.poll()).toMatchObject({ skus: [] });
    await other.close();
    await here.adjustments.adjust({ sku: 'A', warehouseId: 'paris', type: 'RESTOCK', quantity: 1 });
    expect(await other.changes?.poll()).toMatchObject({ skus: [] });
    expect((await there.availability.get('A')).available).toBe(2);
  });
});
