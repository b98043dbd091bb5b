import { describe, expect, it } from 'vitest';
import type { StockStoreContractOptions } from '../define-stock-store-contract.js';
import { readAll, replayLedger, seedWarehouses, stock } from '../fixtures.js';
import { useContractWorld } from './harness.js';

/** Invariant 3: the ledger explains every number; paging works. */
export function ledgerContract(options: StockStoreContractOptions): void {
  describe(`${options.name}: ledger and adjustments`, () => {
    const world = useContractWorld(options);

    it('records who, why and which document, and replays to every row', async () => {
      await seedWarehouses(world.stockroom);
      await world.stockroom.adjustments.adjust(
        { sku: 'A', warehouseId: 'paris', type: 'RESTOCK', quantity: 10 },
        { actor: 'alice', reason: 'delivery', reference: 'PO-77' },
      );
      await world.stockroom.adjustments.adjust({
        sku: 'A',
        warehouseId: 'paris',
        type: 'DAMAGE',
        quantity: 2,
      });
      await world.stockroom.adjustments.adjust(
        { sku: 'A', warehouseId: 'paris', type: 'ADJUSTMENT', quantity: -1 },
        { reason: 'cycle count' },
      );
      await world.stockroom.adjustments.adjust({
        sku: 'A',
        warehouseId: 'paris',
        type: 'RETURN',
        quantity: 4,
      });
      const hold = await world.stockroom.reservations.reserve({
        items: [{ sku: 'A', quantity: 3 }],
        orderId: 'o1',
      });
      await world.stockroom.reservations.commit(hold.id);
      await world.stockroom.orders.cancel('o1', [{ sku: 'A', warehouseId: 'paris', quantity: 1 }]);
      const row = (await world.store.reads.stockBySku('A'))[0]!;
      expect(row).toMatchObject({
        available: 9,
        reserved: 0,
        damaged: 2,
        inTransit: 0,
        total: 11,
        version: 7,
      });
      const movements = await readAll((page) => world.store.reads.movements({ sku: 'A' }, page));
      expect(movements.map((movement) => movement.type)).toEqual([
        'REFUND',
        'SALE',
        'RESERVATION',
        'RETURN',
        'ADJUSTMENT',
        'DAMAGE',
        'RESTOCK',
      ]);
      expect(movements.at(-1)).toMatchObject({
        actor: 'alice',
        reason: 'delivery',
        reference: 'PO-77',
      });
      expect(movements[0]).toMatchObject({
        orderId: 'o1',
        reservationId: hold.id,
        deltas: { available: 1 },
      });
      expect(await replayLedger(world.store)).toEqual([]);
    });

    it('pages movements newest first and stock by warehouse with cursors', async () => {
      await seedWarehouses(world.stockroom);
      for (let index = 0; index < 25; index += 1) {
        world.clock.advance(1000);
        await stock(world.stockroom, `SKU-${String(index).padStart(2, '0')}`, 'paris', index + 1);
      }
      const first = await world.store.reads.stockByWarehouse('paris', { limit: 10 });
      expect(first.items.map((row) => row.sku)).toEqual(
        Array.from({ length: 10 }, (_, index) => `SKU-${String(index).padStart(2, '0')}`),
      );
      expect(first.nextCursor).not.toBeNull();
      const all = await readAll((page) =>
        world.store.reads.stockByWarehouse('paris', { ...page, limit: 7 }),
      );
      expect(all).toHaveLength(25);
      expect(new Set(all.map((row) => row.sku)).size).toBe(25);
      const movements = await world.store.reads.movements({ warehouseId: 'paris' }, { limit: 3 });
      expect(movements.items.map((movement) => movement.sku)).toEqual([
        'SKU-24',
        'SKU-23',
        'SKU-22',
      ]);
      const next = await world.store.reads.movements(
        { warehouseId: 'paris' },
        { limit: 3, cursor: movements.nextCursor },
      );
      expect(next.items.map((movement) => movement.sku)).toEqual(['SKU-21', 'SKU-20', 'SKU-19']);
      expect((await world.store.reads.stockByWarehouse('london', {})).items).toEqual([]);
    });

    it('adjustments: restock needs a warehouse; damage and corrections cannot take more than available', async () => {
      await seedWarehouses(world.stockroom);
      await expect(
        world.stockroom.adjustments.adjust({
          sku: 'A',
          warehouseId: 'nowhere',
          type: 'RESTOCK',
          quantity: 1,
        }),
      ).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await stock(world.stockroom, 'A', 'paris', 3);
      await expect(
        world.stockroom.adjustments.adjust({
          sku: 'A',
          warehouseId: 'paris',
          type: 'DAMAGE',
          quantity: 4,
        }),
      ).rejects.toMatchObject({ code: 'INSUFFICIENT_STOCK' });
      await expect(
        world.stockroom.adjustments.adjust({
          sku: 'A',
          warehouseId: 'paris',
          type: 'ADJUSTMENT',
          quantity: -4,
        }),
      ).rejects.toMatchObject({ code: 'INSUFFICIENT_STOCK' });
      await expect(
        world.stockroom.adjustments.adjust({
          sku: 'A',
          warehouseId: 'paris',
          type: 'ADJUSTMENT',
          quantity: 0,
        }),
      ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
      expect((await world.store.reads.stockBySku('A'))[0]).toMatchObject({
        available: 3,
        version: 1,
      });
    });

    it('compare-and-set: a stale expectedVersion is VERSION_CONFLICT and changes nothing', async () => {
      await seedWarehouses(world.stockroom);
      const first = await world.stockroom.adjustments.adjust({
        sku: 'A',
        warehouseId: 'paris',
        type: 'RESTOCK',
        quantity: 3,
        expectedVersion: 0,
      });
      expect(first.stock.version).toBe(1);
      await expect(
        world.stockroom.adjustments.adjust({
          sku: 'A',
          warehouseId: 'paris',
          type: 'RESTOCK',
          quantity: 3,
          expectedVersion: 0,
        }),
      ).rejects.toMatchObject({ code: 'VERSION_CONFLICT', retryable: false, actualVersion: 1 });
      expect((await world.store.reads.stockBySku('A'))[0]).toMatchObject({
        available: 3,
        version: 1,
      });
    });

    it('capacity: maxStockLevel and warehouse capacity refuse growth with CAPACITY_EXCEEDED', async () => {
      await seedWarehouses(world.stockroom);
      await world.stockroom.adjustments.updateSettings({
        sku: 'A',
        warehouseId: 'paris',
        maxStockLevel: 10,
      });
      await stock(world.stockroom, 'A', 'paris', 10);
      await expect(stock(world.stockroom, 'A', 'paris', 1)).rejects.toMatchObject({
        code: 'CAPACITY_EXCEEDED',
        limit: 'stock-level',
      });
      await world.stockroom.warehouses.update('london', { capacity: 15 });
      await stock(world.stockroom, 'B', 'london', 10);
      await expect(stock(world.stockroom, 'C', 'london', 6)).rejects.toMatchObject({
        code: 'CAPACITY_EXCEEDED',
        limit: 'warehouse',
      });
      await stock(world.stockroom, 'C', 'london', 5);
      expect(await world.store.reads.stockBySku('C')).toMatchObject([{ available: 5 }]);
      expect((await world.stockroom.warehouses.get('london'))?.occupancy).toBe(15);
    });

    it('low-stock alerts fire once per crossing and resolve when stock climbs back', async () => {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'A', 'paris', 20);
      await world.stockroom.adjustments.updateSettings({
        sku: 'A',
        warehouseId: 'paris',
        lowStockThreshold: 5,
      });
      const holds = [];
      for (let index = 0; index < 17; index += 1) {
        holds.push(
          await world.stockroom.reservations.reserve({ items: [{ sku: 'A', quantity: 1 }] }),
        );
      }
      let alerts = await readAll((page) => world.store.reads.alerts({}, page));
      expect(alerts).toHaveLength(1);
      expect(alerts[0]).toMatchObject({
        sku: 'A',
        warehouseId: 'paris',
        status: 'TRIGGERED',
        currentQuantity: 5,
        threshold: 5,
      });
      for (const hold of holds) await world.stockroom.reservations.release(hold.id);
      alerts = await readAll((page) => world.store.reads.alerts({}, page));
      expect(alerts).toMatchObject([{ status: 'RESOLVED' }]);
      await world.stockroom.relay?.drain();
      expect(world.publisher.ofType('inventory.low.stock')).toHaveLength(1);
    });

    it('out-of-stock and back-in-stock fire exactly once per SKU-level crossing', async () => {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'A', 'paris', 1);
      await stock(world.stockroom, 'A', 'london', 1);
      const first = await world.stockroom.reservations.reserve({
        items: [{ sku: 'A', quantity: 1, warehouseId: 'paris' }],
      });
      const second = await world.stockroom.reservations.reserve({
        items: [{ sku: 'A', quantity: 1, warehouseId: 'london' }],
      });
      await world.stockroom.reservations.release(first.id);
      await world.stockroom.reservations.release(second.id);
      await world.stockroom.relay?.drain();
      expect(world.publisher.ofType('inventory.out.of.stock')).toHaveLength(1);
      expect(
        world.publisher.ofType('inventory.back.in.stock').map((event) => event.data.available),
      ).toEqual([1, 1]);
    });
  });
}
