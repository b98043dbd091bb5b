import { describe, expect, it } from 'vitest';
import type { StockStoreContractOptions } from '../define-stock-store-contract.js';
import {
  backorderedMismatches,
  replayLedger,
  reservedMismatches,
  seedWarehouses,
  stock,
} from '../fixtures.js';
import { type ContractWorld, useContractWorld } from './harness.js';

/** Every extended invariant: ledger replay (with `backordered`), holds and backorders. */
async function expectInvariants(world: ContractWorld): Promise<void> {
  expect(await replayLedger(world.store)).toEqual([]);
  expect(await reservedMismatches(world.store)).toEqual([]);
  expect(await backorderedMismatches(world.store)).toEqual([]);
}

const row = async (world: ContractWorld, sku: string, warehouseId: string) =>
  (await world.store.reads.stockBySku(sku)).find((item) => item.warehouseId === warehouseId);

/** Backorders: reservations beyond what is sellable, filled by restocks in order. */
export function backordersContract(options: StockStoreContractOptions): void {
  describe(`${options.name}: backorders`, () => {
    const world = useContractWorld(options);

    const allow = (sku: string, backorderLimit: number | null = null) =>
      world.stockroom.skuPolicies.set({ sku, backorderPolicy: 'CONTINUE', backorderLimit });

    it('DENY (the default) refuses beyond sellable; CONTINUE backorders the excess', async () => {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'BO', 'paris', 2);
      await expect(
        world.stockroom.reservations.reserve({ items: [{ sku: 'BO', quantity: 5 }] }),
      ).rejects.toMatchObject({
        code: 'INSUFFICIENT_STOCK',
        shortfalls: [{ sku: 'BO', requested: 5, available: 2 }],
      });
      expect(await allow('BO')).toMatchObject({
        backorderPolicy: 'CONTINUE',
        backorderLimit: null,
        stored: true,
      });
      const hold = await world.stockroom.reservations.reserve({
        items: [{ sku: 'BO', quantity: 5, warehouseId: 'paris' }],
      });
      expect(hold.lines).toEqual([
        {
          sku: 'BO',
          warehouseId: 'paris',
          quantity: 5,
          refunded: 0,
          backordered: 3,
          committed: 0,
          released: 0,
          preordered: 0,
          receiptId: null,
          expectedAt: null,
        },
      ]);
      expect(await row(world, 'BO', 'paris')).toMatchObject({
        available: 0,
        reserved: 2,
        backordered: 3,
        total: 2,
      });
      const movements = await world.store.reads.ledger({ sku: 'BO' }, {});
      expect(movements.items.at(-1)).toMatchObject({
        type: 'RESERVATION',
        deltas: { available: -2, reserved: 2, damaged: 0, inTransit: 0, backordered: 3 },
        after: { available: 0, reserved: 2, damaged: 0, inTransit: 0, backordered: 3 },
      });
      await expectInvariants(world);
    });

    it('a restock fills backorders first reserved, first served, before anything is sellable', async () => {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'FIFO', 'paris', 1);
      await allow('FIFO');
      const first = await world.stockroom.reservations.reserve({
        items: [{ sku: 'FIFO', quantity: 3, warehouseId: 'paris' }],
      });
      world.clock.advance(1000);
      const second = await world.stockroom.reservations.reserve({
        items: [{ sku: 'FIFO', quantity: 2, warehouseId: 'paris' }],
      });
      expect(first.lines[0]).toMatchObject({ quantity: 3, backordered: 2 });
      expect(second.lines[0]).toMatchObject({ quantity: 2, backordered: 2 });
      expect(await row(world, 'FIFO', 'paris')).toMatchObject({
        available: 0,
        reserved: 1,
        backordered: 4,
      });

      // 3 units: 2 fill the first reservation, 1 the second; nothing becomes sellable.
      await stock(world.stockroom, 'FIFO', 'paris', 3);
      expect(await row(world, 'FIFO', 'paris')).toMatchObject({
        available: 0,
        reserved: 4,
        backordered: 1,
        total: 4,
      });
      expect((await world.stockroom.reservations.get(first.id))?.lines[0]).toMatchObject({
        quantity: 3,
        backordered: 0,
      });
      expect((await world.stockroom.reservations.get(second.id))?.lines[0]).toMatchObject({
        quantity: 2,
        backordered: 1,
      });
      const fills = (await world.store.reads.ledger({ sku: 'FIFO' }, {})).items.filter(
        (movement) => movement.type === 'BACKORDER_FILL',
      );
      expect(
        fills.map((movement) => [movement.reservationId, movement.deltas, movement.actor]),
      ).toEqual([
        [
          first.id,
          { available: -2, reserved: 2, damaged: 0, inTransit: 0, backordered: -2 },
          'system:backorders',
        ],
        [
          second.id,
          { available: -1, reserved: 1, damaged: 0, inTransit: 0, backordered: -1 },
          'system:backorders',
        ],
      ]);
      await world.stockroom.relay!.drain();
      expect(
        world.publisher.ofType('inventory.backorder.filled').map((event) => event.data),
      ).toEqual([
        {
          reservationId: first.id,
          orderId: null,
          status: 'ACTIVE',
          sku: 'FIFO',
          warehouseId: 'paris',
          quantity: 2,
          backordered: 0,
        },
        {
          reservationId: second.id,
          orderId: null,
          status: 'ACTIVE',
          sku: 'FIFO',
          warehouseId: 'paris',
          quantity: 1,
          backordered: 1,
        },
      ]);
      await expectInvariants(world);

      // Once filled, the first reservation is an ordinary hold: its commit sells 3 units.
      await world.stockroom.reservations.commit(first.id);
      expect(await row(world, 'FIFO', 'paris')).toMatchObject({
        available: 0,
        reserved: 1,
        backordered: 1,
        total: 1,
      });
      await expectInvariants(world);
    });

    it('lowering safety stock fills waiting backorders in order, as a restock does', async () => {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'SAFE', 'paris', 5);
      await world.stockroom.adjustments.updateSettings({
        sku: 'SAFE',
        warehouseId: 'paris',
        safetyStock: 4,
      });
      await allow('SAFE');
      const first = await world.stockroom.reservations.reserve({
        items: [{ sku: 'SAFE', quantity: 3, warehouseId: 'paris' }],
      });
      world.clock.advance(1000);
      const second = await world.stockroom.reservations.reserve({
        items: [{ sku: 'SAFE', quantity: 2, warehouseId: 'paris' }],
      });
      expect(first.lines[0]).toMatchObject({ quantity: 3, backordered: 2 });
      expect(second.lines[0]).toMatchObject({ quantity: 2, backordered: 2 });
      expect(await row(world, 'SAFE', 'paris')).toMatchObject({
        available: 4,
        reserved: 1,
        backordered: 4,
      });
      const before = (await world.store.reads.ledger({ sku: 'SAFE' }, {})).items.length;

      // Raising it sells nothing more; lowering it to 1 frees 3 units: 2 for the first, 1 for the second.
      await world.stockroom.adjustments.updateSettings({
        sku: 'SAFE',
        warehouseId: 'paris',
        safetyStock: 4,
      });
      expect((await world.store.reads.ledger({ sku: 'SAFE' }, {})).items).toHaveLength(before);
      expect(
        await world.stockroom.adjustments.updateSettings({
          sku: 'SAFE',
          warehouseId: 'paris',
          safetyStock: 1,
        }),
      ).toMatchObject({ available: 1, reserved: 4, backordered: 1, safetyStock: 1 });
      expect(await row(world, 'SAFE', 'paris')).toMatchObject({
        available: 1,
        reserved: 4,
        backordered: 1,
        safetyStock: 1,
        total: 5,
      });
      expect((await world.stockroom.reservations.get(first.id))?.lines[0]).toMatchObject({
        backordered: 0,
      });
      expect((await world.stockroom.reservations.get(second.id))?.lines[0]).toMatchObject({
        backordered: 1,
      });
      const fills = (await world.store.reads.ledger({ sku: 'SAFE' }, {})).items.slice(before);
      expect(
        fills.map((movement) => [movement.type, movement.reservationId, movement.deltas]),
      ).toEqual([
        [
          'BACKORDER_FILL',
          first.id,
          { available: -2, reserved: 2, damaged: 0, inTransit: 0, backordered: -2 },
        ],
        [
          'BACKORDER_FILL',
          second.id,
          { available: -1, reserved: 1, damaged: 0, inTransit: 0, backordered: -1 },
        ],
      ]);
      expect(fills.every((movement) => movement.actor === 'system:backorders')).toBe(true);
      await world.stockroom.relay!.drain();
      expect(
        world.publisher
          .ofType('inventory.backorder.filled')
          .map((event) => [event.data.reservationId, event.data.quantity, event.data.backordered]),
      ).toEqual([
        [first.id, 2, 0],
        [second.id, 1, 1],
      ]);
      // Nothing sellable is left for anyone else: the safety stock is kept.
      expect(await world.stockroom.availability.check({ sku: 'SAFE', quantity: 1 })).toMatchObject({
        isAvailable: false,
        availableQuantity: 0,
        backorderedQuantity: 1,
      });
      await expectInvariants(world);

      // Switching to DENY refuses new backorders but keeps the waiting one, which a restock fills.
      await world.stockroom.skuPolicies.set({ sku: 'SAFE', backorderPolicy: 'DENY' });
      expect(await row(world, 'SAFE', 'paris')).toMatchObject({ available: 1, backordered: 1 });
      await stock(world.stockroom, 'SAFE', 'paris', 1);
      expect(await row(world, 'SAFE', 'paris')).toMatchObject({
        available: 1,
        reserved: 5,
        backordered: 0,
      });
      await expectInvariants(world);
    });

    it('release and expiry drop the backordered units from the row', async () => {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'DROP', 'paris', 1);
      await allow('DROP');
      const released = await world.stockroom.reservations.reserve({
        items: [{ sku: 'DROP', quantity: 4, warehouseId: 'paris' }],
        ttlSeconds: 600,
      });
      const expiring = await world.stockroom.reservations.reserve({
        items: [{ sku: 'DROP', quantity: 2, warehouseId: 'paris' }],
        ttlSeconds: 60,
      });
      expect(await row(world, 'DROP', 'paris')).toMatchObject({
        available: 0,
        reserved: 1,
        backordered: 5,
      });
      // Releasing the first gives its held unit back, which fills the second's backorder.
      await world.stockroom.reservations.release(released.id);
      expect(await row(world, 'DROP', 'paris')).toMatchObject({
        available: 0,
        reserved: 1,
        backordered: 1,
      });
      expect((await world.stockroom.reservations.get(expiring.id))?.lines[0]).toMatchObject({
        backordered: 1,
      });
      world.clock.advance(60_000);
      expect(await world.stockroom.reservations.expireDue()).toBe(1);
      expect(await row(world, 'DROP', 'paris')).toMatchObject({
        available: 1,
        reserved: 0,
        backordered: 0,
      });
      await expectInvariants(world);
    });

    it('a committed backorder stays in the bucket until a transfer receipt fills it as sold', async () => {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'SHIP', 'paris', 1);
      await stock(world.stockroom, 'SHIP', 'london', 10);
      await allow('SHIP');
      const hold = await world.stockroom.reservations.reserve({
        items: [{ sku: 'SHIP', quantity: 4, warehouseId: 'paris' }],
      });
      const committed = await world.stockroom.reservations.commit(hold.id);
      expect(committed).toMatchObject({ status: 'COMMITTED' });
      expect(committed.lines[0]).toMatchObject({ quantity: 4, backordered: 3 });
      expect(await row(world, 'SHIP', 'paris')).toMatchObject({
        available: 0,
        reserved: 0,
        backordered: 3,
        total: 0,
      });
      const transfer = await world.stockroom.transfers.create({
        sku: 'SHIP',
        fromWarehouseId: 'london',
        toWarehouseId: 'paris',
        quantity: 5,
      });
      await world.stockroom.transfers.ship(transfer.id);
      expect(await row(world, 'SHIP', 'paris')).toMatchObject({ inTransit: 5, backordered: 3 });
      await world.stockroom.transfers.receive(transfer.id);
      // 3 of the 5 received units leave as sold to the committed order; 2 are sellable.
      expect(await row(world, 'SHIP', 'paris')).toMatchObject({
        available: 2,
        reserved: 0,
        inTransit: 0,
        backordered: 0,
        total: 2,
      });
      expect((await world.stockroom.reservations.get(hold.id))?.lines[0]).toMatchObject({
        backordered: 0,
      });
      const fill = (await world.store.reads.ledger({ sku: 'SHIP' }, {})).items.find(
        (movement) => movement.type === 'BACKORDER_FILL',
      );
      expect(fill).toMatchObject({
        warehouseId: 'paris',
        reservationId: hold.id,
        deltas: { available: -3, reserved: 0, backordered: -3 },
      });
      await expectInvariants(world);
    });

    it('the limit caps backordered units per row; beyond it INSUFFICIENT_STOCK', async () => {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'CAP', 'paris', 1);
      await allow('CAP', 3);
      await world.stockroom.reservations.reserve({
        items: [{ sku: 'CAP', quantity: 3, warehouseId: 'paris' }],
      });
      await expect(
        world.stockroom.reservations.reserve({
          items: [{ sku: 'CAP', quantity: 2, warehouseId: 'paris' }],
        }),
      ).rejects.toMatchObject({
        code: 'INSUFFICIENT_STOCK',
        shortfalls: [{ sku: 'CAP', warehouseId: 'paris', requested: 2, available: 1 }],
      });
      const last = await world.stockroom.reservations.reserve({
        items: [{ sku: 'CAP', quantity: 1, warehouseId: 'paris' }],
      });
      expect(last.lines[0]).toMatchObject({ quantity: 1, backordered: 1 });
      expect(await row(world, 'CAP', 'paris')).toMatchObject({ backordered: 3, reserved: 1 });
      await expectInvariants(world);
    });

    it('an unpinned backorder goes to the row the strategy prefers; checks say so', async () => {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'PREF', 'paris', 2);
      await stock(world.stockroom, 'PREF', 'london', 1);
      await stock(world.stockroom, 'PREF', 'berlin', 1);
      await allow('PREF');
      const check = await world.stockroom.availability.check({ sku: 'PREF', quantity: 6 });
      expect(check).toMatchObject({
        isAvailable: false,
        availableQuantity: 4,
        backorderedQuantity: 2,
      });
      const cart = await world.stockroom.carts.check({
        items: [{ sku: 'PREF', quantity: 6 }],
        strategy: 'priority',
      });
      expect(cart).toMatchObject({ isAvailable: true, shortfalls: [] });
      expect(cart.lines[0]).toMatchObject({ isAvailable: false, backorderedQuantity: 2 });
      const hold = await world.stockroom.reservations.reserve({
        items: [{ sku: 'PREF', quantity: 6 }],
        strategy: 'priority',
      });
      // Priority order: london (1) is preferred, so the 2 backordered units wait there.
      expect(hold.lines).toEqual(
        cart.allocations.map((line) => ({
          ...line,
          refunded: 0,
          committed: 0,
          released: 0,
          preordered: 0,
          receiptId: null,
          expectedAt: null,
        })),
      );
      expect(hold.lines.find((line) => line.warehouseId === 'london')).toMatchObject({
        quantity: 3,
        backordered: 2,
      });
      expect(await row(world, 'PREF', 'london')).toMatchObject({
        available: 0,
        reserved: 1,
        backordered: 2,
      });
      await expectInvariants(world);
    });

    it('cancelling an order drops its committed backorders; refunds give back sold units only', async () => {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'CXL', 'paris', 2);
      await allow('CXL');
      const hold = await world.stockroom.reservations.reserve({
        items: [{ sku: 'CXL', quantity: 5, warehouseId: 'paris' }],
        orderId: 'order-1',
      });
      await world.stockroom.reservations.commit(hold.id);
      const cancelled = await world.stockroom.orders.cancel('order-1', undefined);
      expect(cancelled.refunded.map((movement) => movement.deltas.available)).toEqual([2]);
      expect(await row(world, 'CXL', 'paris')).toMatchObject({
        available: 2,
        reserved: 0,
        backordered: 0,
      });
      expect((await world.stockroom.reservations.get(hold.id))?.lines[0]).toMatchObject({
        quantity: 2,
        backordered: 0,
        refunded: 2,
      });
      await expectInvariants(world);
    });
  });
}
