import { describe, expect, it } from 'vitest';
import { createMemoryStockStore, createStockroom, ManualClock } from '../src/index.js';

async function world() {
  const stockroom = createStockroom({ store: createMemoryStockStore(), clock: new ManualClock() });
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
  return stockroom;
}

describe('ChangeContext.onChanged on commit and release', () => {
  it('is called once, by the call that moved the reservation out of ACTIVE', async () => {
    const stockroom = await world();
    const hold = await stockroom.reservations.reserve({ items: [{ sku: 'A', quantity: 2 }] });
    const calls: string[] = [];
    const context = (label: string) => ({ onChanged: () => calls.push(label) });
    const results = await Promise.all([
      stockroom.reservations.commit(hold.id, context('first')),
      stockroom.reservations.commit(hold.id, context('second')),
    ]);
    expect(results.map((reservation) => reservation.status)).toEqual(['COMMITTED', 'COMMITTED']);
    expect(calls).toHaveLength(1);
    await stockroom.reservations.commit(hold.id, context('again'));
    expect(calls).toHaveLength(1);
  });

  it('is not called for an idempotent replay, nor for releasing a released reservation', async () => {
    const stockroom = await world();
    const hold = await stockroom.reservations.reserve({ items: [{ sku: 'A', quantity: 2 }] });
    let changed = 0;
    let replayed = 0;
    const context = {
      idempotencyKey: 'release-1',
      onChanged: () => {
        changed += 1;
      },
      onReplay: () => {
        replayed += 1;
      },
    };
    await stockroom.reservations.release(hold.id, context);
    await stockroom.reservations.release(hold.id, context);
    await stockroom.reservations.release(hold.id, { onChanged: context.onChanged });
    expect({ changed, replayed }).toEqual({ changed: 1, replayed: 1 });
    expect(await stockroom.availability.get('A')).toMatchObject({ available: 50, reserved: 0 });
  });
});
