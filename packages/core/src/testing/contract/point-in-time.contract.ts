import { describe, expect, it } from 'vitest';
import { quantitiesOf } from '../../domain/inventory-stock.js';
import type { Movement } from '../../domain/movement.js';
import type { StockStoreContractOptions } from '../define-stock-store-contract.js';
import { readAll, seedWarehouses, stock } from '../fixtures.js';
import { useContractWorld } from './harness.js';

/** Point-in-time stock: the ledger alone answers what every row held at any instant. */
export function pointInTimeContract(options: StockStoreContractOptions): void {
  describe(`${options.name}: stock as of an instant`, () => {
    const world = useContractWorld(options);

    it("stockAsOf at each movement's createdAt equals that movement's after snapshot", async () => {
      await seedWarehouses(world.stockroom);
      const start = world.clock.now();
      const step = async (work: () => Promise<unknown>) => {
        world.clock.advance(1000);
        await work();
      };
      await step(() => stock(world.stockroom, 'A', 'paris', 10));
      await step(() => stock(world.stockroom, 'A', 'london', 4));
      let holdId = '';
      await step(async () => {
        holdId = (
          await world.stockroom.reservations.reserve({
            items: [{ sku: 'A', quantity: 3, warehouseId: 'paris' }],
          })
        ).id;
      });
      await step(() => world.stockroom.reservations.commit(holdId));
      let transferId = '';
      await step(async () => {
        transferId = (
          await world.stockroom.transfers.create({
            sku: 'A',
            fromWarehouseId: 'paris',
            toWarehouseId: 'berlin',
            quantity: 2,
          })
        ).id;
      });
      await step(() => world.stockroom.transfers.ship(transferId));
      await step(() =>
        world.stockroom.adjustments.adjust({
          sku: 'A',
          warehouseId: 'london',
          type: 'DAMAGE',
          quantity: 1,
        }),
      );
      await step(() => world.stockroom.transfers.receive(transferId));
      await step(() =>
        world.stockroom.adjustments.bulkUpdate({
          mode: 'set',
          items: [{ sku: 'A', warehouseId: 'paris', quantity: 9 }],
        }),
      );

      const movements = await readAll<Movement>((page) =>
        world.store.reads.ledger({ sku: 'A' }, page),
      );
      expect(movements).toHaveLength(9);
      for (const movement of movements) {
        const asOf = await world.stockroom.availability.stockAsOf('A', movement.createdAt);
        const row = asOf.warehouses.find((item) => item.warehouseId === movement.warehouseId);
        expect({ ...quantitiesOf(row!), version: row!.version }).toEqual({
          ...movement.after,
          version: movement.version,
        });
        expect(row!.updatedAt).toEqual(movement.createdAt);
      }

      // Between movements, the answer is the state after the last one before.
      const afterShip = await world.stockroom.availability.stockAsOf(
        'A',
        new Date(start.getTime() + 6500),
      );
      expect(afterShip).toMatchObject({ available: 9, reserved: 0, inTransit: 2, total: 11 });
      expect(afterShip.warehouses.map((row) => [row.warehouseId, row.available])).toEqual([
        ['berlin', 0],
        ['london', 4],
        ['paris', 5],
      ]);
      const current = await world.stockroom.availability.get('A');
      const now = await world.stockroom.availability.stockAsOf('A', world.clock.now());
      expect(now.warehouses.map(quantitiesOf)).toEqual(current.warehouses.map(quantitiesOf));
      await expect(world.stockroom.availability.stockAsOf('A', start)).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      await expect(
        world.stockroom.availability.stockAsOf('A', new Date(Number.NaN)),
      ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    });
  });
}
