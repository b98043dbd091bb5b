import { describe, expect, it } from 'vitest';
import { ALLOCATION_STRATEGIES } from '../../allocation/allocation-plan.js';
import type { Movement } from '../../domain/movement.js';
import type { StockStoreContractOptions } from '../define-stock-store-contract.js';
import { readAll, seedWarehouses, stock } from '../fixtures.js';
import { useContractWorld } from './harness.js';

/** The whole-cart check: a dry run of reservation admission that writes nothing. */
export function cartCheckContract(options: StockStoreContractOptions): void {
  describe(`${options.name}: whole-cart check`, () => {
    const world = useContractWorld(options);
    const snapshot = async () => ({
      rows: await readAll((page) => world.store.reads.allStock(page)),
      movements: (await readAll<Movement>((page) => world.store.reads.ledger({}, page))).length,
      outbox: (await world.store.reads.outboxLag()).pending,
    });

    /** Mugs in three warehouses, tees in one, caps only in Berlin. */
    async function seedCart(): Promise<void> {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'MUG', 'paris', 3);
      await stock(world.stockroom, 'MUG', 'london', 4);
      await stock(world.stockroom, 'MUG', 'berlin', 5);
      await stock(world.stockroom, 'TEE', 'london', 2);
      await stock(world.stockroom, 'CAP', 'berlin', 1);
    }

    it('answers per SKU (duplicates summed) and for the cart, with the plan a reservation makes, writing nothing', async () => {
      await seedCart();
      const before = await snapshot();
      const items = [
        { sku: 'MUG', quantity: 2 },
        { sku: 'TEE', quantity: 1 },
        { sku: 'MUG', quantity: 4 },
        { sku: 'CAP', quantity: 1, warehouseId: 'berlin' },
      ];
      const answer = await world.stockroom.carts.check({ items, strategy: 'priority' });
      expect(answer.isAvailable).toBe(true);
      expect(answer.shortfalls).toEqual([]);
      // priority: London (1), Paris (2), Berlin (3).
      expect(answer.allocations).toEqual([
        { sku: 'CAP', warehouseId: 'berlin', quantity: 1, backordered: 0 },
        { sku: 'MUG', warehouseId: 'london', quantity: 4, backordered: 0 },
        { sku: 'MUG', warehouseId: 'paris', quantity: 2, backordered: 0 },
        { sku: 'TEE', warehouseId: 'london', quantity: 1, backordered: 0 },
      ]);
      expect(answer.lines).toEqual([
        {
          sku: 'MUG',
          requestedQuantity: 6,
          availableQuantity: 12,
          isAvailable: true,
          backorderedQuantity: 0,
          allocations: [
            { sku: 'MUG', warehouseId: 'london', quantity: 4, backordered: 0 },
            { sku: 'MUG', warehouseId: 'paris', quantity: 2, backordered: 0 },
          ],
          shortfalls: [],
          preorders: [],
        },
        {
          sku: 'TEE',
          requestedQuantity: 1,
          availableQuantity: 2,
          isAvailable: true,
          backorderedQuantity: 0,
          allocations: [{ sku: 'TEE', warehouseId: 'london', quantity: 1, backordered: 0 }],
          shortfalls: [],
          preorders: [],
        },
        {
          sku: 'CAP',
          requestedQuantity: 1,
          availableQuantity: 1,
          isAvailable: true,
          backorderedQuantity: 0,
          allocations: [{ sku: 'CAP', warehouseId: 'berlin', quantity: 1, backordered: 0 }],
          shortfalls: [],
          preorders: [],
        },
      ]);
      expect(answer.rowVersions).toEqual({
        MUG: { paris: 1, london: 1, berlin: 1 },
        TEE: { london: 1 },
        CAP: { berlin: 1 },
      });
      expect(await snapshot()).toEqual(before);

      const hold = await world.stockroom.reservations.reserve({ items, strategy: 'priority' });
      expect(
        hold.lines.map(({ sku, warehouseId, quantity, backordered }) => ({
          sku,
          warehouseId,
          quantity,
          backordered,
        })),
      ).toEqual(answer.allocations);
    });

    it('for every strategy and a location, the check plans what the reservation then holds', async () => {
      await seedCart();
      const items = [
        { sku: 'MUG', quantity: 8 },
        { sku: 'TEE', quantity: 1 },
      ];
      const location = { latitude: 52.52, longitude: 13.405 };
      for (const strategy of ALLOCATION_STRATEGIES) {
        const request = { items, strategy, location };
        const answer = await world.stockroom.carts.check(request);
        const hold = await world.stockroom.reservations.reserve(request);
        expect(
          hold.lines.map(({ sku, warehouseId, quantity, backordered }) => ({
            sku,
            warehouseId,
            quantity,
            backordered,
          })),
          strategy,
        ).toEqual(answer.allocations);
        await world.stockroom.reservations.release(hold.id);
      }
    });

    it('a short cart: the cart is refused with the reservation’s shortfalls, each line says what it lacks', async () => {
      await seedCart();
      await world.stockroom.warehouses.update('berlin', { status: 'MAINTENANCE' });
      const request = {
        items: [
          { sku: 'MUG', quantity: 8 },
          { sku: 'TEE', quantity: 2 },
          { sku: 'CAP', quantity: 1 },
          { sku: 'NONE', quantity: 1 },
        ],
      };
      const answer = await world.stockroom.carts.check(request);
      expect(answer.isAvailable).toBe(false);
      expect(answer.allocations).toEqual([]);
      // Berlin is not ACTIVE: its mugs and its only cap do not count.
      expect(
        answer.lines.map(({ sku, availableQuantity, isAvailable }) => [
          sku,
          availableQuantity,
          isAvailable,
        ]),
      ).toEqual([
        ['MUG', 7, false],
        ['TEE', 2, true],
        ['CAP', 0, false],
        ['NONE', 0, false],
      ]);
      await expect(world.stockroom.reservations.reserve(request)).rejects.toMatchObject({
        code: 'INSUFFICIENT_STOCK',
        shortfalls: answer.shortfalls,
      });
      expect(answer.shortfalls).toEqual([
        { sku: 'CAP', requested: 1, available: 0 },
        { sku: 'MUG', requested: 8, available: 7 },
        { sku: 'NONE', requested: 1, available: 0 },
      ]);
      expect(answer.lines[0]!.shortfalls).toEqual([{ sku: 'MUG', requested: 8, available: 7 }]);
      expect(answer.rowVersions.NONE).toEqual({});
    });

    it('a pinned line counts only its warehouse; held units are not available to the next cart', async () => {
      await seedCart();
      await world.stockroom.reservations.reserve({
        items: [{ sku: 'MUG', quantity: 3, warehouseId: 'paris' }],
      });
      const answer = await world.stockroom.carts.check({
        items: [
          { sku: 'MUG', quantity: 1, warehouseId: 'paris' },
          { sku: 'MUG', quantity: 9 },
        ],
      });
      expect(answer.isAvailable).toBe(false);
      expect(answer.shortfalls).toEqual([
        { sku: 'MUG', warehouseId: 'paris', requested: 1, available: 0 },
      ]);
      expect(answer.lines[0]).toMatchObject({ requestedQuantity: 10, availableQuantity: 9 });
    });

    it('safety stock is never offered: lines and plan count sellable units, as a reservation does', async () => {
      await seedCart();
      await world.stockroom.adjustments.updateSettings({
        sku: 'MUG',
        warehouseId: 'berlin',
        safetyStock: 4,
      });
      const fits = await world.stockroom.carts.check({ items: [{ sku: 'MUG', quantity: 8 }] });
      expect(fits.isAvailable).toBe(true);
      expect(fits.lines[0]).toMatchObject({ requestedQuantity: 8, availableQuantity: 8 });
      const short = await world.stockroom.carts.check({ items: [{ sku: 'MUG', quantity: 9 }] });
      expect(short.isAvailable).toBe(false);
      expect(short.lines[0]).toMatchObject({ requestedQuantity: 9, availableQuantity: 8 });
      await expect(
        world.stockroom.reservations.reserve({ items: [{ sku: 'MUG', quantity: 9 }] }),
      ).rejects.toMatchObject({ code: 'INSUFFICIENT_STOCK' });
    });

    it('refuses malformed carts with VALIDATION_FAILED', async () => {
      await seedCart();
      for (const request of [
        { items: [] },
        { items: [{ sku: 'MUG', quantity: 0 }] },
        { items: [{ sku: '', quantity: 1 }] },
        { items: [{ sku: 'MUG', quantity: 1 }], strategy: 'cheapest' },
        { items: [{ sku: 'MUG', quantity: 1 }], location: { latitude: 91, longitude: 0 } },
        { items: Array.from({ length: 101 }, (_, index) => ({ sku: `S${index}`, quantity: 1 })) },
      ]) {
        await expect(
          world.stockroom.carts.check(request as Parameters<typeof world.stockroom.carts.check>[0]),
        ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
      }
    });
  });
}
