import { describe, expect, it } from 'vitest';
import type { Movement } from '../../domain/movement.js';
import type { StockStoreContractOptions } from '../define-stock-store-contract.js';
import { readAll, replayLedger, reservedMismatches, seedWarehouses, stock } from '../fixtures.js';
import { useContractWorld } from './harness.js';

/** Kits and bundles: definitions, checks, reservations and their life cycle through kits. */
export function kitsContract(options: StockStoreContractOptions): void {
  describe(`${options.name}: kits`, () => {
    const world = useContractWorld(options);
    const rowOf = async (sku: string, warehouseId: string) =>
      (await world.store.reads.stockBySku(sku)).find((row) => row.warehouseId === warehouseId);
    const movements = () => readAll<Movement>((page) => world.store.reads.ledger({}, page));
    const invariantsHold = async () => {
      expect(await replayLedger(world.store)).toEqual([]);
      expect(await reservedMismatches(world.store)).toEqual([]);
    };

    /** MUG and TEA in Paris and London, SPOON only in London; BOX = 2 MUG + 1 TEA. */
    async function seedKit(shipping: 'SINGLE_WAREHOUSE' | 'SPLIT' = 'SINGLE_WAREHOUSE') {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'MUG', 'paris', 5);
      await stock(world.stockroom, 'MUG', 'london', 2);
      await stock(world.stockroom, 'TEA', 'paris', 1);
      await stock(world.stockroom, 'TEA', 'london', 4);
      await stock(world.stockroom, 'SPOON', 'london', 3);
      return world.stockroom.kits.define({
        sku: 'BOX',
        components: [
          { sku: 'TEA', quantity: 1 },
          { sku: 'MUG', quantity: 2 },
        ],
        shipping,
      });
    }

    it('defines, replaces, lists and deletes kits, each change an inventory.kit.updated event', async () => {
      const kit = await seedKit();
      expect(kit).toMatchObject({
        sku: 'BOX',
        shipping: 'SINGLE_WAREHOUSE',
        version: 1,
        components: [
          { sku: 'MUG', quantity: 2 },
          { sku: 'TEA', quantity: 1 },
        ],
      });
      const replaced = await world.stockroom.kits.define({
        sku: 'BOX',
        components: [{ sku: 'MUG', quantity: 3 }],
        shipping: 'SPLIT',
        expectedVersion: 1,
      });
      expect(replaced).toMatchObject({ version: 2, shipping: 'SPLIT' });
      expect(await world.stockroom.kits.get('BOX')).toEqual(replaced);
      await expect(
        world.stockroom.kits.define({
          sku: 'BOX',
          components: [{ sku: 'MUG', quantity: 1 }],
          expectedVersion: 1,
        }),
      ).rejects.toMatchObject({ code: 'VERSION_CONFLICT' });
      await world.stockroom.kits.define({ sku: 'DUO', components: [{ sku: 'TEA', quantity: 2 }] });
      expect((await world.stockroom.kits.list()).map((item) => item.sku)).toEqual(['BOX', 'DUO']);
      await world.stockroom.kits.remove('DUO');
      expect(await world.stockroom.kits.get('DUO')).toBeNull();
      await expect(world.stockroom.kits.remove('DUO')).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      await world.stockroom.relay!.drain();
      const events = world.publisher.events.filter(
        (event) => event.type === 'inventory.kit.updated',
      );
      expect(
        events.map((event) => [event.subject, (event.data as { action: string }).action]),
      ).toEqual([
        ['BOX', 'defined'],
        ['BOX', 'defined'],
        ['DUO', 'defined'],
        ['DUO', 'deleted'],
      ]);
    });

    it('refuses malformed and nested definitions, stocked kit SKUs and stock changes on kits', async () => {
      await seedKit();
      await expect(
        world.stockroom.kits.define({
          sku: 'BAD',
          components: [
            { sku: 'MUG', quantity: 1 },
            { sku: 'MUG', quantity: 2 },
          ],
        }),
      ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
      await expect(
        world.stockroom.kits.define({ sku: 'BAD', components: [{ sku: 'BAD', quantity: 1 }] }),
      ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
      await expect(
        world.stockroom.kits.define({ sku: 'BIG', components: [{ sku: 'BOX', quantity: 1 }] }),
      ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
      await expect(
        world.stockroom.kits.define({ sku: 'MUG', components: [{ sku: 'TEA', quantity: 1 }] }),
      ).rejects.toMatchObject({ code: 'KIT_NOT_STOCKABLE', sku: 'MUG' });
      await expect(
        world.stockroom.kits.define({ sku: 'NEW', components: [{ sku: 'MUG', quantity: 0 }] }),
      ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
      await expect(stock(world.stockroom, 'BOX', 'paris', 1)).rejects.toMatchObject({
        code: 'KIT_NOT_STOCKABLE',
        sku: 'BOX',
      });
      const bulk = await world.stockroom.adjustments.bulkUpdate({
        mode: 'set',
        items: [
          { sku: 'BOX', warehouseId: 'paris', quantity: 4 },
          { sku: 'MUG', warehouseId: 'berlin', quantity: 3 },
        ],
      });
      expect(bulk.applied).toBe(1);
      expect(bulk.failed).toMatchObject([{ index: 0, code: 'KIT_NOT_STOCKABLE' }]);
      await expect(
        world.stockroom.adjustments.updateSettings({
          sku: 'BOX',
          warehouseId: 'paris',
          safetyStock: 1,
        }),
      ).rejects.toMatchObject({ code: 'KIT_NOT_STOCKABLE' });
      await expect(
        world.stockroom.adjustments.setAvailable({ sku: 'BOX', warehouseId: 'paris', quantity: 2 }),
      ).rejects.toMatchObject({ code: 'KIT_NOT_STOCKABLE' });
      expect(await world.store.reads.stockBySku('BOX')).toEqual([]);
    });

    it('checks a single-warehouse kit per warehouse: the least floor(sellable ÷ quantity), safety stock left out', async () => {
      await seedKit();
      // Paris: MUG 5 → 2 kits, TEA 1 → 1 kit: 1. London: MUG 2 → 1, TEA 4 → 4: 1.
      const answer = await world.stockroom.availability.check({ sku: 'BOX', quantity: 2 });
      expect(answer).toMatchObject({ sku: 'BOX', isAvailable: true, availableQuantity: 2 });
      expect(answer.warehouses.map((line) => [line.warehouseId, line.availableQuantity])).toEqual([
        ['london', 1],
        ['paris', 1],
      ]);
      expect(answer.kit?.shipping).toBe('SINGLE_WAREHOUSE');
      expect(answer.kit?.components).toEqual([
        { sku: 'MUG', quantity: 2, kitUnits: 3 },
        { sku: 'TEA', quantity: 1, kitUnits: 5 },
      ]);
      await world.stockroom.adjustments.updateSettings({
        sku: 'TEA',
        warehouseId: 'london',
        safetyStock: 4,
      });
      const guarded = await world.stockroom.availability.check({ sku: 'BOX', quantity: 2 });
      expect(guarded).toMatchObject({ isAvailable: false, availableQuantity: 1 });
    });

    it('checks a split kit over every warehouse together', async () => {
      await seedKit('SPLIT');
      // MUG 7 → 3 kits, TEA 5 → 5 kits.
      const answer = await world.stockroom.availability.check({ sku: 'BOX', quantity: 3 });
      expect(answer).toMatchObject({ isAvailable: true, availableQuantity: 3 });
    });

    it('reserves every component unit of a kit, all or nothing, recording the kit on each line', async () => {
      await seedKit();
      const hold = await world.stockroom.reservations.reserve({
        items: [{ sku: 'BOX', quantity: 2 }],
        strategy: 'priority',
      });
      expect(hold.lines).toEqual([
        {
          sku: 'MUG',
          warehouseId: 'london',
          quantity: 2,
          refunded: 0,
          kitSku: 'BOX',
          committed: 0,
          released: 0,
          preordered: 0,
          receiptId: null,
          expectedAt: null,
          backordered: 0,
        },
        {
          sku: 'MUG',
          warehouseId: 'paris',
          quantity: 2,
          refunded: 0,
          kitSku: 'BOX',
          committed: 0,
          released: 0,
          preordered: 0,
          receiptId: null,
          expectedAt: null,
          backordered: 0,
        },
        {
          sku: 'TEA',
          warehouseId: 'london',
          quantity: 1,
          refunded: 0,
          kitSku: 'BOX',
          committed: 0,
          released: 0,
          preordered: 0,
          receiptId: null,
          expectedAt: null,
          backordered: 0,
        },
        {
          sku: 'TEA',
          warehouseId: 'paris',
          quantity: 1,
          refunded: 0,
          kitSku: 'BOX',
          committed: 0,
          released: 0,
          preordered: 0,
          receiptId: null,
          expectedAt: null,
          backordered: 0,
        },
      ]);
      expect(await world.stockroom.reservations.get(hold.id)).toEqual(hold);
      expect(await rowOf('MUG', 'paris')).toMatchObject({ available: 3, reserved: 2 });
      expect(await rowOf('TEA', 'paris')).toMatchObject({ available: 0, reserved: 1 });
      const before = (await movements()).length;
      await expect(
        world.stockroom.reservations.reserve({ items: [{ sku: 'BOX', quantity: 1 }] }),
      ).rejects.toMatchObject({
        code: 'INSUFFICIENT_STOCK',
        shortfalls: [{ sku: 'BOX', requested: 1, available: 0 }],
      });
      expect((await movements()).length).toBe(before);
      expect(await rowOf('MUG', 'london')).toMatchObject({ available: 0, reserved: 2 });
      await invariantsHold();
    });

    it('sums a component over several kits and plain items before judging it', async () => {
      await seedKit('SPLIT');
      await world.stockroom.kits.define({
        sku: 'PAIR',
        components: [
          { sku: 'MUG', quantity: 1 },
          { sku: 'SPOON', quantity: 1 },
        ],
        shipping: 'SPLIT',
      });
      // MUG: 2 (BOX) + 2 (PAIR) + 3 (plain) = 7 of 7.
      const hold = await world.stockroom.reservations.reserve({
        items: [
          { sku: 'BOX', quantity: 1 },
          { sku: 'PAIR', quantity: 2 },
          { sku: 'MUG', quantity: 3 },
        ],
        strategy: 'priority',
      });
      const units = (sku: string, kitSku?: string) =>
        hold.lines
          .filter((line) => line.sku === sku && line.kitSku === kitSku)
          .reduce((sum, line) => sum + line.quantity, 0);
      expect([
        units('MUG', 'BOX'),
        units('MUG', 'PAIR'),
        units('MUG'),
        units('SPOON', 'PAIR'),
      ]).toEqual([2, 2, 3, 2]);
      expect(units('TEA', 'BOX')).toBe(1);
      expect((await world.store.reads.stockBySku('MUG')).every((row) => row.available === 0)).toBe(
        true,
      );
      await world.stockroom.reservations.release(hold.id);
      await expect(
        world.stockroom.reservations.reserve({
          items: [
            { sku: 'BOX', quantity: 1 },
            { sku: 'PAIR', quantity: 2 },
            { sku: 'MUG', quantity: 4 },
          ],
        }),
      ).rejects.toMatchObject({
        code: 'INSUFFICIENT_STOCK',
        shortfalls: [{ sku: 'MUG', requested: 8, available: 7 }],
      });
      await invariantsHold();
    });

    it('ships a single-warehouse kit from one warehouse, a split kit from several', async () => {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'MUG', 'paris', 2);
      await stock(world.stockroom, 'TEA', 'london', 2);
      await world.stockroom.kits.define({
        sku: 'ONE',
        components: [
          { sku: 'MUG', quantity: 1 },
          { sku: 'TEA', quantity: 1 },
        ],
      });
      await world.stockroom.kits.define({
        sku: 'ANY',
        components: [
          { sku: 'MUG', quantity: 1 },
          { sku: 'TEA', quantity: 1 },
        ],
        shipping: 'SPLIT',
      });
      expect(await world.stockroom.availability.check({ sku: 'ONE', quantity: 1 })).toMatchObject({
        isAvailable: false,
        availableQuantity: 0,
      });
      await expect(
        world.stockroom.reservations.reserve({ items: [{ sku: 'ONE', quantity: 1 }] }),
      ).rejects.toMatchObject({ code: 'INSUFFICIENT_STOCK', shortfalls: [{ sku: 'ONE' }] });
      const hold = await world.stockroom.reservations.reserve({
        items: [{ sku: 'ANY', quantity: 2 }],
      });
      expect(hold.lines).toEqual([
        {
          sku: 'MUG',
          warehouseId: 'paris',
          quantity: 2,
          refunded: 0,
          kitSku: 'ANY',
          committed: 0,
          released: 0,
          preordered: 0,
          receiptId: null,
          expectedAt: null,
          backordered: 0,
        },
        {
          sku: 'TEA',
          warehouseId: 'london',
          quantity: 2,
          refunded: 0,
          kitSku: 'ANY',
          committed: 0,
          released: 0,
          preordered: 0,
          receiptId: null,
          expectedAt: null,
          backordered: 0,
        },
      ]);
      await invariantsHold();
    });

    it('commits, releases, expires and refunds through kits, with events carrying the kit', async () => {
      await seedKit();
      const sold = await world.stockroom.reservations.reserve({
        items: [{ sku: 'BOX', quantity: 1, warehouseId: 'paris' }],
        orderId: 'order-1',
      });
      await world.stockroom.reservations.commit(sold.id);
      expect(await rowOf('MUG', 'paris')).toMatchObject({ available: 3, reserved: 0 });
      expect(await rowOf('TEA', 'paris')).toMatchObject({ available: 0, reserved: 0 });
      const sales = (await movements()).filter((movement) => movement.type === 'SALE');
      expect(sales.map((movement) => [movement.sku, movement.deltas.reserved])).toEqual([
        ['MUG', -2],
        ['TEA', -1],
      ]);
      const released = await world.stockroom.reservations.reserve({
        items: [{ sku: 'BOX', quantity: 1 }],
      });
      await world.stockroom.reservations.release(released.id);
      const expiring = await world.stockroom.reservations.reserve({
        items: [{ sku: 'BOX', quantity: 1 }],
        ttlSeconds: 60,
      });
      world.clock.advance(61_000);
      expect(await world.stockroom.reservations.expireDue()).toBe(1);
      expect((await world.stockroom.reservations.get(expiring.id))?.status).toBe('EXPIRED');
      expect(await rowOf('MUG', 'london')).toMatchObject({ available: 2, reserved: 0 });
      const cancelled = await world.stockroom.orders.cancel('order-1', undefined);
      expect(
        cancelled.refunded.map((movement) => [movement.sku, movement.deltas.available]),
      ).toEqual([
        ['MUG', 2],
        ['TEA', 1],
      ]);
      expect(await rowOf('MUG', 'paris')).toMatchObject({ available: 5, reserved: 0 });
      await world.stockroom.relay!.drain();
      const reserved = world.publisher.events.find(
        (event) =>
          event.type === 'inventory.reserved' &&
          (event.data as { reservationId: string }).reservationId === sold.id,
      );
      expect((reserved!.data as { lines: unknown[] }).lines).toEqual([
        { sku: 'MUG', warehouseId: 'paris', quantity: 2, kitSku: 'BOX' },
        { sku: 'TEA', warehouseId: 'paris', quantity: 1, kitSku: 'BOX' },
      ]);
      await invariantsHold();
    });

    it('a kit whose component sells out shows unavailable in the very next check', async () => {
      await seedKit();
      expect(await world.stockroom.availability.check({ sku: 'BOX', quantity: 1 })).toMatchObject({
        isAvailable: true,
      });
      await world.stockroom.reservations.reserve({ items: [{ sku: 'TEA', quantity: 5 }] });
      expect(await world.stockroom.availability.check({ sku: 'BOX', quantity: 1 })).toMatchObject({
        isAvailable: false,
        availableQuantity: 0,
      });
      const cart = await world.stockroom.carts.check({ items: [{ sku: 'BOX', quantity: 1 }] });
      expect(cart).toMatchObject({ isAvailable: false, allocations: [] });
      expect(cart.lines).toMatchObject([{ sku: 'BOX', availableQuantity: 0, isAvailable: false }]);
    });

    it('another instance over the store sees a kit change at once', async () => {
      await seedKit();
      const other = world.createStockroom();
      expect(await other.availability.check({ sku: 'BOX', quantity: 1 })).toMatchObject({
        availableQuantity: 2,
      });
      await other.reservations.reserve({ items: [{ sku: 'BOX', quantity: 1 }] });
      await world.stockroom.kits.define({
        sku: 'BOX',
        components: [{ sku: 'TEA', quantity: 1 }],
        shipping: 'SPLIT',
      });
      await world.stockroom.kits.define({ sku: 'DUO', components: [{ sku: 'MUG', quantity: 2 }] });
      // BOX is now 1 tea (5 teas, 1 held by the first hold: 4 kits); DUO (2 mugs) is new.
      expect(await other.availability.check({ sku: 'BOX', quantity: 1 })).toMatchObject({
        availableQuantity: 4,
        kit: { shipping: 'SPLIT' },
      });
      const hold = await other.reservations.reserve({ items: [{ sku: 'DUO', quantity: 1 }] });
      expect(hold.lines.every((line) => line.sku === 'MUG' && line.kitSku === 'DUO')).toBe(true);
      await invariantsHold();
    });

    it('checks a cart holding kits with the plan a reservation makes, writing nothing', async () => {
      await seedKit();
      const items = [
        { sku: 'BOX', quantity: 1 },
        { sku: 'MUG', quantity: 1 },
      ];
      const answer = await world.stockroom.carts.check({ items, strategy: 'priority' });
      expect(answer.isAvailable).toBe(true);
      expect(
        answer.lines.map((line) => [line.sku, line.requestedQuantity, line.availableQuantity]),
      ).toEqual([
        ['BOX', 1, 2],
        ['MUG', 1, 7],
      ]);
      expect(answer.lines[0]!.allocations).toEqual([
        { sku: 'MUG', warehouseId: 'london', quantity: 2, kitSku: 'BOX', backordered: 0 },
        { sku: 'TEA', warehouseId: 'london', quantity: 1, kitSku: 'BOX', backordered: 0 },
      ]);
      expect(answer.lines[1]!.allocations).toEqual([
        { sku: 'MUG', warehouseId: 'paris', quantity: 1, backordered: 0 },
      ]);
      expect(Object.keys(answer.rowVersions).sort()).toEqual(['MUG', 'TEA']);
      const hold = await world.stockroom.reservations.reserve({ items, strategy: 'priority' });
      expect(
        hold.lines.map(({ sku, warehouseId, quantity, kitSku, backordered }) => ({
          sku,
          warehouseId,
          quantity,
          ...(kitSku === undefined ? {} : { kitSku }),
          backordered,
        })),
      ).toEqual(answer.allocations);
    });
  });
}
