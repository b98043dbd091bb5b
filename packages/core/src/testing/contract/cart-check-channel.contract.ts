import { describe, expect, it } from 'vitest';
import type { StockStoreContractOptions } from '../define-stock-store-contract.js';
import { readAll, seedWarehouses, stock } from '../fixtures.js';
import { useContractWorld } from './harness.js';

/** The whole-cart check naming a sales channel: the channel's warehouses only, as `reserve`. */
export function cartCheckChannelContract(options: StockStoreContractOptions): void {
  describe(`${options.name}: whole-cart check in a sales channel`, () => {
    const world = useContractWorld(options);

    async function seed(): Promise<void> {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'A', 'paris', 5);
      await stock(world.stockroom, 'A', 'london', 7);
      await stock(world.stockroom, 'A', 'berlin', 3);
      await stock(world.stockroom, 'B', 'berlin', 4);
      await world.stockroom.channels.create({
        id: 'west',
        name: 'West',
        warehouseIds: ['paris', 'london'],
      });
    }

    it("sees and plans from the channel's warehouses only, as a reservation in the channel does", async () => {
      await seed();
      const everywhere = await world.stockroom.carts.check({ items: [{ sku: 'A', quantity: 13 }] });
      expect(everywhere).toMatchObject({ isAvailable: true, lines: [{ availableQuantity: 15 }] });
      expect(everywhere.channelId).toBeUndefined();

      const short = await world.stockroom.carts.check({
        items: [
          { sku: 'A', quantity: 13 },
          { sku: 'B', quantity: 1 },
        ],
        channelId: 'west',
      });
      expect(short).toMatchObject({
        isAvailable: false,
        channelId: 'west',
        allocations: [],
        shortfalls: [
          { sku: 'A', requested: 13, available: 12 },
          { sku: 'B', requested: 1, available: 0 },
        ],
      });
      expect(
        short.lines.map((line) => [line.sku, line.availableQuantity, line.isAvailable]),
      ).toEqual([
        ['A', 12, false],
        ['B', 0, false],
      ]);

      const movementsBefore = (await readAll((page) => world.store.reads.ledger({}, page))).length;
      const fits = await world.stockroom.carts.check({
        items: [{ sku: 'A', quantity: 12 }],
        channelId: 'west',
        strategy: 'priority',
      });
      expect(fits).toMatchObject({ isAvailable: true, shortfalls: [] });
      expect(fits.allocations).toEqual([
        { sku: 'A', warehouseId: 'london', quantity: 7, backordered: 0 },
        { sku: 'A', warehouseId: 'paris', quantity: 5, backordered: 0 },
      ]);
      expect((await readAll((page) => world.store.reads.ledger({}, page))).length).toBe(
        movementsBefore,
      );
      const hold = await world.stockroom.reservations.reserve({
        items: [{ sku: 'A', quantity: 12 }],
        channelId: 'west',
        strategy: 'priority',
      });
      expect(
        hold.lines.map(({ sku, warehouseId, quantity, backordered }) => ({
          sku,
          warehouseId,
          quantity,
          backordered,
        })),
      ).toEqual(fits.allocations);

      // A line pinned outside the channel is short, as it is for reserve.
      const pinned = await world.stockroom.carts.check({
        items: [{ sku: 'B', quantity: 1, warehouseId: 'berlin' }],
        channelId: 'west',
      });
      expect(pinned).toMatchObject({ isAvailable: false, allocations: [] });
      expect(pinned.shortfalls).toMatchObject([{ sku: 'B', requested: 1 }]);
    });

    it('refuses an unknown channel with NOT_FOUND and a malformed one with VALIDATION_FAILED', async () => {
      await seed();
      await expect(
        world.stockroom.carts.check({ items: [{ sku: 'A', quantity: 1 }], channelId: 'nope' }),
      ).rejects.toMatchObject({ code: 'NOT_FOUND', entity: 'channel' });
      await expect(
        world.stockroom.carts.check({ items: [{ sku: 'A', quantity: 1 }], channelId: '' }),
      ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    });
  });
}
