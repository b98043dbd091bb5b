import { describe, expect, it } from 'vitest';
import type { StockStoreContractOptions } from '../define-stock-store-contract.js';
import { readAll, replayLedger, seedWarehouses, stock } from '../fixtures.js';
import { useContractWorld } from './harness.js';

/** Damaged units: written off (damaged → gone) or restored (damaged → available). */
export function damagedUnitsContract(options: StockStoreContractOptions): void {
  describe(`${options.name}: damaged units`, () => {
    const world = useContractWorld(options);
    const key = { sku: 'D', warehouseId: 'paris' } as const;

    it('writes off and restores damaged units as movements; replay and reconciliation agree', async () => {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'D', 'paris', 10);
      await world.stockroom.adjustments.adjust({ ...key, type: 'DAMAGE', quantity: 5 });
      const restored = await world.stockroom.adjustments.adjust(
        { ...key, type: 'RESTORE', quantity: 1 },
        { actor: 'qa', reason: 'inspected: sellable' },
      );
      expect(restored.stock).toMatchObject({ available: 6, damaged: 4, total: 10, version: 3 });
      expect(restored.movement).toMatchObject({
        type: 'RESTORE',
        deltas: { available: 1, reserved: 0, damaged: -1, inTransit: 0 },
        after: { available: 6, reserved: 0, damaged: 4, inTransit: 0 },
        version: 3,
      });
      world.clock.advance(1000);
      const written = await world.stockroom.adjustments.adjust(
        { ...key, type: 'WRITE_OFF', quantity: 3 },
        { actor: 'qa', reason: 'crushed in transit', reference: 'WO-12' },
      );
      expect(written.stock).toMatchObject({ available: 6, damaged: 1, total: 7, version: 4 });
      expect(written.movement).toMatchObject({
        type: 'WRITE_OFF',
        deltas: { available: 0, reserved: 0, damaged: -3, inTransit: 0 },
        reason: 'crushed in transit',
        reference: 'WO-12',
        actor: 'qa',
      });

      const row = (await world.store.reads.stockBySku('D'))[0]!;
      expect(row).toMatchObject({ available: 6, reserved: 0, damaged: 1, total: 7, version: 4 });
      const movements = await readAll((page) => world.store.reads.movements({ sku: 'D' }, page));
      expect(movements.map((movement) => movement.type)).toEqual([
        'WRITE_OFF',
        'RESTORE',
        'DAMAGE',
        'RESTOCK',
      ]);
      expect(await replayLedger(world.store)).toEqual([]);
      expect(await world.stockroom.reconciliation.reconcile()).toMatchObject({
        discrepancies: [],
        repaired: 0,
      });
      const asOf = await world.stockroom.availability.stockAsOf('D', world.clock.now());
      expect(asOf).toMatchObject({ available: 6, damaged: 1, total: 7 });
    });

    it('refuses a write-off without a reason, more units than are damaged, and a missing row', async () => {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'D', 'paris', 4);
      await world.stockroom.adjustments.adjust({ ...key, type: 'DAMAGE', quantity: 2 });
      await expect(
        world.stockroom.adjustments.adjust({ ...key, type: 'WRITE_OFF', quantity: 1 }),
      ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
      await expect(
        world.stockroom.adjustments.adjust(
          { ...key, type: 'WRITE_OFF', quantity: 3 },
          { reason: 'broken' },
        ),
      ).rejects.toMatchObject({
        code: 'INSUFFICIENT_STOCK',
        shortfalls: [{ sku: 'D', warehouseId: 'paris', requested: 3, available: 2 }],
      });
      await expect(
        world.stockroom.adjustments.adjust({ ...key, type: 'RESTORE', quantity: 3 }),
      ).rejects.toMatchObject({ code: 'INSUFFICIENT_STOCK' });
      await expect(
        world.stockroom.adjustments.adjust({
          sku: 'NONE',
          warehouseId: 'paris',
          type: 'RESTORE',
          quantity: 1,
        }),
      ).rejects.toMatchObject({ code: 'NOT_FOUND' });
      const row = (await world.store.reads.stockBySku('D'))[0]!;
      expect(row).toMatchObject({ available: 2, damaged: 2, total: 4, version: 2 });
      expect(await world.store.reads.stockBySku('NONE')).toEqual([]);
    });

    it('restoring units out of stock makes the SKU back in stock', async () => {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'D', 'paris', 2);
      await world.stockroom.adjustments.adjust({ ...key, type: 'DAMAGE', quantity: 2 });
      const before = await world.stockroom.availability.check({ sku: 'D', quantity: 1 });
      expect(before.isAvailable).toBe(false);
      await world.stockroom.adjustments.adjust({ ...key, type: 'RESTORE', quantity: 2 });
      const after = await world.stockroom.availability.check({ sku: 'D', quantity: 2 });
      expect(after).toMatchObject({ isAvailable: true, availableQuantity: 2 });
      await world.stockroom.relay!.drain();
      expect(
        world.publisher.events
          .filter((event) => event.subject === 'D')
          .map((event) => event.type)
          .filter((type) => type !== 'inventory.stock.updated' && type !== 'inventory.low.stock'),
      ).toEqual(['inventory.back.in.stock', 'inventory.out.of.stock', 'inventory.back.in.stock']);
    });
  });
}
