import { describe, expect, it } from 'vitest';
import {
  addQuantities,
  deltas,
  quantitiesOf,
  type StockKey,
  type StockQuantities,
  stockKeyOf,
  ZERO_QUANTITIES,
} from '../../domain/inventory-stock.js';
import type { Movement } from '../../domain/movement.js';
import type { StockStore } from '../../ports/stock-store.js';
import type { StockStoreContractOptions } from '../define-stock-store-contract.js';
import { readAll, reservedMismatches, seedWarehouses, stock } from '../fixtures.js';
import { useContractWorld } from './harness.js';

/**
 * Rows whose quantities differ from the sum of their movements' deltas. (Versions are left
 * out: a change planted without a movement leaves a gap in the row's version sequence, which
 * the repair records but cannot fill.)
 */
async function quantityMismatches(store: StockStore): Promise<string[]> {
  const movements = await readAll<Movement>((page) => store.reads.ledger({}, page));
  const sums = new Map<string, StockQuantities>();
  for (const movement of movements) {
    const key = stockKeyOf(movement);
    sums.set(key, addQuantities(sums.get(key) ?? ZERO_QUANTITIES, movement.deltas));
  }
  const rows = await readAll((page) => store.reads.allStock(page));
  return rows
    .filter(
      (row) =>
        JSON.stringify(quantitiesOf(row)) !==
        JSON.stringify(sums.get(stockKeyOf(row)) ?? ZERO_QUANTITIES),
    )
    .map((row) => `${row.sku}@${row.warehouseId}`);
}

/** Changes a row's quantities through the raw port, with no movement (a bug or a manual edit). */
async function plant(store: StockStore, key: StockKey, change: Partial<StockQuantities>) {
  await store.transaction(async (transaction) => {
    const before = (await transaction.stock.get(key, { lock: true }))!;
    const difference = deltas(change);
    const quantities = addQuantities(before, difference);
    const total =
      quantities.available + quantities.reserved + quantities.damaged + quantities.inTransit;
    const outcome = await transaction.stock.update([
      {
        before,
        next: { ...before, ...quantities, total, version: before.version + 1 },
        deltas: difference,
      },
    ]);
    if (!outcome.applied) throw new Error('plant lost a race');
  });
}

/** Reconciliation finds what the ledger and the holds do not explain, and repairs it. */
export function reconciliationContract(options: StockStoreContractOptions): void {
  describe(`${options.name}: reconciliation`, () => {
    const world = useContractWorld(options);

    it('detects a planted ledger discrepancy; repair writes an ADJUSTMENT so replay matches again', async () => {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'A', 'paris', 10);
      await stock(world.stockroom, 'A', 'london', 5);
      await stock(world.stockroom, 'B', 'paris', 3);
      const hold = await world.stockroom.reservations.reserve({
        items: [{ sku: 'A', quantity: 2, warehouseId: 'paris' }],
      });
      const transfer = await world.stockroom.transfers.create({
        sku: 'A',
        fromWarehouseId: 'london',
        toWarehouseId: 'berlin',
        quantity: 1,
      });
      await world.stockroom.transfers.ship(transfer.id);
      expect(await world.stockroom.reconciliation.reconcile()).toMatchObject({
        checked: 4,
        discrepancies: [],
        repaired: 0,
      });

      await plant(world.store, { sku: 'A', warehouseId: 'paris' }, { available: 5 });
      const expected = [
        {
          sku: 'A',
          warehouseId: 'paris',
          kind: 'ledger',
          bucket: 'available',
          stored: 13,
          expected: 8,
        },
      ];
      expect(await world.stockroom.reconciliation.reconcile()).toMatchObject({
        checked: 4,
        discrepancies: expected,
        repaired: 0,
      });
      expect(await quantityMismatches(world.store)).toEqual(['A@paris']);

      world.clock.advance(1000);
      expect(
        await world.stockroom.reconciliation.reconcile(
          { repair: true },
          { reason: 'cycle count 2026-03', actor: 'auditor' },
        ),
      ).toMatchObject({ checked: 4, discrepancies: expected, repaired: 1 });
      expect(await quantityMismatches(world.store)).toEqual([]);
      expect(await world.stockroom.reconciliation.reconcile()).toMatchObject({
        checked: 4,
        discrepancies: [],
        repaired: 0,
      });
      const row = (await world.store.reads.stockBySku('A')).find(
        (item) => item.warehouseId === 'paris',
      )!;
      expect(row).toMatchObject({ available: 13, reserved: 2, total: 15 });
      const [last] = (await world.store.reads.movements({ sku: 'A', warehouseId: 'paris' }, {}))
        .items;
      expect(last).toMatchObject({
        type: 'ADJUSTMENT',
        reason: 'cycle count 2026-03',
        actor: 'auditor',
        deltas: { available: 5, reserved: 0, damaged: 0, inTransit: 0 },
        after: quantitiesOf(row),
        version: row.version,
        createdAt: world.clock.now(),
      });

      // The repaired row keeps working and stays explained.
      await world.stockroom.reservations.commit(hold.id);
      await world.stockroom.transfers.receive(transfer.id);
      expect(await quantityMismatches(world.store)).toEqual([]);
      expect((await world.stockroom.reconciliation.reconcile()).discrepancies).toEqual([]);
    });

    it('detects reserved units no hold explains; repair returns them to available', async () => {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'A', 'paris', 10);
      const hold = await world.stockroom.reservations.reserve({
        items: [{ sku: 'A', quantity: 3 }],
      });
      await plant(world.store, { sku: 'A', warehouseId: 'paris' }, { available: -2, reserved: 2 });
      expect(await reservedMismatches(world.store)).toEqual(['A@paris: reserved 5, holds 3']);
      const report = await world.stockroom.reconciliation.reconcile();
      expect(report.discrepancies).toEqual([
        {
          sku: 'A',
          warehouseId: 'paris',
          kind: 'ledger',
          bucket: 'available',
          stored: 5,
          expected: 7,
        },
        {
          sku: 'A',
          warehouseId: 'paris',
          kind: 'ledger',
          bucket: 'reserved',
          stored: 5,
          expected: 3,
        },
        {
          sku: 'A',
          warehouseId: 'paris',
          kind: 'reserved',
          bucket: 'reserved',
          stored: 5,
          expected: 3,
        },
      ]);
      expect(await world.stockroom.reconciliation.reconcile({ repair: true })).toMatchObject({
        repaired: 3,
      });
      expect(await world.store.reads.stockBySku('A')).toMatchObject([
        { available: 7, reserved: 3 },
      ]);
      expect(await reservedMismatches(world.store)).toEqual([]);
      expect(await quantityMismatches(world.store)).toEqual([]);
      expect((await world.stockroom.reconciliation.reconcile()).discrepancies).toEqual([]);
      await world.stockroom.reservations.release(hold.id);
      expect(await world.store.reads.stockBySku('A')).toMatchObject([
        { available: 10, reserved: 0 },
      ]);
    });
  });
}
