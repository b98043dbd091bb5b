import { describe, expect, it } from 'vitest';
import { createStockroom } from '../create-stockroom.js';
import { MemorySoldOutGuard } from '../memory/memory-availability-cache.js';
import { createMemoryStockStore } from '../memory/memory-stock-store.js';

// The cache effects of a stock change (here: the sold-out marks) are applied once the change has
// committed, whichever service ran it, and never for a change that rolled back.
describe('the stock-change helper', () => {
  async function setup() {
    const guard = new MemorySoldOutGuard();
    const stockroom = createStockroom({ store: createMemoryStockStore(), soldOutGuard: guard });
    await stockroom.warehouses.create({ id: 'oslo', name: 'Oslo' });
    await stockroom.adjustments.adjust({
      sku: 'A',
      warehouseId: 'oslo',
      type: 'RESTOCK',
      quantity: 1,
    });
    return { guard, stockroom };
  }

  it('marks a SKU sold out after the reservation that took its last unit, clears it on restock', async () => {
    const { guard, stockroom } = await setup();
    expect(await guard.isSoldOut('A')).toBe(false);
    await stockroom.reservations.reserve({ items: [{ sku: 'A', quantity: 1 }] });
    expect(await guard.isSoldOut('A')).toBe(true);
    await stockroom.adjustments.adjust({
      sku: 'A',
      warehouseId: 'oslo',
      type: 'RESTOCK',
      quantity: 2,
    });
    expect(await guard.isSoldOut('A')).toBe(false);
  });

  it('carries the sold-out mark on a refusal when a batch admitted nobody', async () => {
    const { guard, stockroom } = await setup();
    await stockroom.reservations.reserve({ items: [{ sku: 'A', quantity: 1 }] });
    await guard.clear(['A']);
    // A keyed request is not stopped by the guard: it reaches the batch and is refused there.
    await expect(
      stockroom.reservations.reserve(
        { items: [{ sku: 'A', quantity: 1 }] },
        { idempotencyKey: 'refused-1' },
      ),
    ).rejects.toMatchObject({ code: 'INSUFFICIENT_STOCK' });
    expect(await guard.isSoldOut('A')).toBe(true);
  });

  it('applies no effect for a change that rolled back', async () => {
    const { guard, stockroom } = await setup();
    await stockroom.reservations.reserve({ items: [{ sku: 'A', quantity: 1 }] });
    expect(await guard.isSoldOut('A')).toBe(true);
    const result = await stockroom.adjustments.bulkUpdate({
      mode: 'delta',
      atomic: true,
      items: [
        { sku: 'A', warehouseId: 'oslo', quantity: 5 },
        { sku: 'A', warehouseId: 'nowhere', quantity: 5 },
      ],
    });
    expect(result.applied).toBe(0);
    expect(result.failed).toHaveLength(1);
    expect(await guard.isSoldOut('A')).toBe(true);
    const stock = await stockroom.availability.get('A');
    expect(stock.available).toBe(0);
  });
});
