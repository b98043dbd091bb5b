import { describe, expect, it } from 'vitest';
import type { StockStoreContractOptions } from '../define-stock-store-contract.js';
import { replayLedger, reservedMismatches, seedWarehouses, stock } from '../fixtures.js';
import { useContractWorld } from './harness.js';

/** Locking and retries: no deadlock, no oversell, across instances. */
export function concurrencyContract(options: StockStoreContractOptions): void {
  describe(`${options.name}: concurrency`, () => {
    const world = useContractWorld(options, {
      locking: () => 'pessimistic',
      reservations: { lanes: 4 },
    });

    it('pessimistic reservations of overlapping SKU sets in opposite order never deadlock', async () => {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'A', 'paris', 40);
      await stock(world.stockroom, 'B', 'paris', 40);
      const other = world.createStockroom({ locking: () => 'pessimistic' });
      const results = await Promise.allSettled(
        Array.from({ length: 60 }, (_, index) =>
          (index % 2 === 0 ? world.stockroom : other).reservations.reserve({
            items:
              index % 4 < 2
                ? [
                    { sku: 'A', quantity: 1 },
                    { sku: 'B', quantity: 1 },
                  ]
                : [
                    { sku: 'B', quantity: 1 },
                    { sku: 'A', quantity: 1 },
                  ],
          }),
        ),
      );
      expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(40);
      for (const result of results) {
        if (result.status === 'rejected')
          expect(result.reason).toMatchObject({ code: 'INSUFFICIENT_STOCK' });
      }
      const rows = await world.store.reads.stockBySkus(['A', 'B']);
      expect(rows.map((row) => [row.sku, row.available, row.reserved])).toEqual([
        ['A', 0, 40],
        ['B', 0, 40],
      ]);
      expect(await replayLedger(world.store)).toEqual([]);
      expect(await reservedMismatches(world.store)).toEqual([]);
    });

    it('mixed concurrent reserve, release, commit and restock keep every invariant', async () => {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'A', 'paris', 20);
      await stock(world.stockroom, 'A', 'london', 20);
      const holds = await Promise.all(
        Array.from({ length: 20 }, () =>
          world.stockroom.reservations.reserve({ items: [{ sku: 'A', quantity: 1 }] }),
        ),
      );
      const other = world.createStockroom();
      await Promise.all([
        ...holds.slice(0, 10).map((hold) => world.stockroom.reservations.commit(hold.id)),
        ...holds.slice(10).map((hold) => other.reservations.release(hold.id)),
        other.adjustments.adjust({ sku: 'A', warehouseId: 'berlin', type: 'RESTOCK', quantity: 7 }),
        ...Array.from({ length: 10 }, () =>
          other.reservations.reserve({ items: [{ sku: 'A', quantity: 2 }] }),
        ),
      ]);
      const rows = await world.store.reads.stockBySku('A');
      const totals = rows.reduce(
        (sum, row) => ({
          available: sum.available + row.available,
          reserved: sum.reserved + row.reserved,
        }),
        { available: 0, reserved: 0 },
      );
      expect(totals).toEqual({ available: 47 - 10 - 20, reserved: 20 });
      expect(await replayLedger(world.store)).toEqual([]);
      expect(await reservedMismatches(world.store)).toEqual([]);
    });
  });
}
