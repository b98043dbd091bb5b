import { describe, expect, it } from 'vitest';
import type { Movement } from '../../domain/movement.js';
import type { StockStoreContractOptions } from '../define-stock-store-contract.js';
import { readAll, replayLedger, seedWarehouses, stock } from '../fixtures.js';
import { useContractWorld } from './harness.js';

/** Bulk items with `expectedQuantity`: the caller's own compare-and-set, item by item. */
export function bulkCompareContract(options: StockStoreContractOptions): void {
  describe(`${options.name}: bulk update with compare`, () => {
    const world = useContractWorld(options);
    const movementsOf = (sku: string) =>
      readAll<Movement>((page) => world.store.reads.movements({ sku }, page));

    /** A 10 and B 5 in Paris, then 2 units of A sold: an import read before the sale is stale. */
    async function seedWithSale(): Promise<void> {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'A', 'paris', 10);
      await stock(world.stockroom, 'B', 'paris', 5);
      const hold = await world.stockroom.reservations.reserve({
        items: [{ sku: 'A', quantity: 2, warehouseId: 'paris' }],
      });
      await world.stockroom.reservations.commit(hold.id);
    }

    it('per item: a stale compare fails that item with VERSION_CONFLICT and changes nothing for it', async () => {
      await seedWithSale();
      const before = (await world.store.reads.stockBySku('A'))[0]!;
      const movements = await movementsOf('A');
      const result = await world.stockroom.adjustments.bulkUpdate({
        mode: 'set',
        items: [
          { sku: 'A', warehouseId: 'paris', quantity: 20, expectedQuantity: 10 },
          { sku: 'B', warehouseId: 'paris', quantity: 7, expectedQuantity: 5 },
          { sku: 'C', warehouseId: 'paris', quantity: 3, expectedQuantity: 0 },
          { sku: 'D', warehouseId: 'paris', quantity: 4 },
        ],
      });
      expect(result.applied).toBe(3);
      expect(result.failed).toEqual([
        {
          index: 0,
          code: 'VERSION_CONFLICT',
          detail: 'A@paris holds 8 available, not the expected 10',
        },
      ]);
      expect((await world.store.reads.stockBySku('A'))[0]).toEqual(before);
      expect(await movementsOf('A')).toEqual(movements);
      expect(await world.store.reads.stockBySkus(['B', 'C', 'D'])).toMatchObject([
        { sku: 'B', available: 7 },
        { sku: 'C', available: 3 },
        { sku: 'D', available: 4 },
      ]);
      expect(await replayLedger(world.store)).toEqual([]);

      const fresh = await world.stockroom.adjustments.bulkUpdate({
        mode: 'set',
        items: [{ sku: 'A', warehouseId: 'paris', quantity: 20, expectedQuantity: 8 }],
      });
      expect(fresh).toEqual({ applied: 1, failed: [] });
      expect((await world.store.reads.stockBySku('A'))[0]).toMatchObject({
        available: 20,
        version: before.version + 1,
      });
    });

    it('atomic: one stale compare applies nothing', async () => {
      await seedWithSale();
      const rows = await readAll((page) => world.store.reads.allStock(page));
      const result = await world.stockroom.adjustments.bulkUpdate({
        mode: 'set',
        atomic: true,
        items: [
          { sku: 'B', warehouseId: 'paris', quantity: 7, expectedQuantity: 5 },
          { sku: 'A', warehouseId: 'paris', quantity: 20, expectedQuantity: 10 },
        ],
      });
      expect(result).toMatchObject({
        applied: 0,
        failed: [{ index: 1, code: 'VERSION_CONFLICT' }],
      });
      expect(result.failed).toHaveLength(1);
      expect(await readAll((page) => world.store.reads.allStock(page))).toEqual(rows);
    });

    it('delta items compare too; a malformed expectedQuantity is VALIDATION_FAILED', async () => {
      await seedWithSale();
      const result = await world.stockroom.adjustments.bulkUpdate({
        mode: 'delta',
        items: [
          { sku: 'A', warehouseId: 'paris', quantity: 2, expectedQuantity: 8 },
          { sku: 'B', warehouseId: 'paris', quantity: 1, expectedQuantity: 4 },
          { sku: 'C', warehouseId: 'paris', quantity: 1, expectedQuantity: -1 },
        ],
      });
      expect(result.applied).toBe(1);
      expect(result.failed).toMatchObject([
        { index: 1, code: 'VERSION_CONFLICT' },
        { index: 2, code: 'VALIDATION_FAILED' },
      ]);
      expect(await world.store.reads.stockBySkus(['A', 'B'])).toMatchObject([
        { sku: 'A', available: 10 },
        { sku: 'B', available: 5 },
      ]);
    });

    it('two imports racing with the same compare: exactly one applies', async () => {
      await seedWithSale();
      const other = world.createStockroom();
      const results = await Promise.all(
        [world.stockroom, other].map((stockroom, index) =>
          stockroom.adjustments.bulkUpdate({
            mode: 'set',
            items: [{ sku: 'A', warehouseId: 'paris', quantity: 30 + index, expectedQuantity: 8 }],
          }),
        ),
      );
      expect(results.map((result) => result.applied).sort()).toEqual([0, 1]);
      const loser = results.find((result) => result.applied === 0)!;
      expect(loser.failed).toMatchObject([{ index: 0, code: 'VERSION_CONFLICT' }]);
      const winner = results.findIndex((result) => result.applied === 1);
      expect((await world.store.reads.stockBySku('A'))[0]).toMatchObject({
        available: 30 + winner,
      });
      expect(await replayLedger(world.store)).toEqual([]);
    });
  });
}
