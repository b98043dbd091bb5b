import { describe, expect, it } from 'vitest';
import { createMemoryStockStore, createStockroom, ManualClock } from '../src/index.js';

describe('smoke', () => {
  it('reserves, commits and keeps the ledger', async () => {
    const clock = new ManualClock();
    const stockroom = createStockroom({ store: createMemoryStockStore(), clock });
    await stockroom.warehouses.create({
      id: 'paris',
      name: 'Paris',
      latitude: 48.85,
      longitude: 2.35,
    });
    await stockroom.adjustments.adjust({
      sku: 'A',
      warehouseId: 'paris',
      type: 'RESTOCK',
      quantity: 50,
    });
    const results = await Promise.allSettled(
      Array.from({ length: 200 }, () =>
        stockroom.reservations.reserve({ items: [{ sku: 'A', quantity: 1 }] }),
      ),
    );
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(50);
    const stock = await stockroom.availability.get('A');
    expect(stock).toMatchObject({ available: 0, reserved: 50 });
    expect(stockroom.stats.batches.count).toBeLessThan(200);
  });
});
