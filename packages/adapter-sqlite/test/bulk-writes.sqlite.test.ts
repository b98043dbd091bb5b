import { createStock, type InventoryStock, type StockStore } from '@stockroom/core';
import { seedWarehouses } from '@stockroom/core/testing';
import { describe, expect, it } from 'vitest';
import { now, openStore, stockroomOver, tempFile } from './fixtures/temp-store.js';

// The bulk import's set-based writes on SQLite (`transaction.bulk`): the guarded update.

const later = new Date(now.getTime() + 60_000);
const warehouses = ['paris', 'london', 'berlin'];

/** A write of `change` units of available to `row`, expected at `expectedVersion`. */
function write(row: InventoryStock, change: number, expectedVersion = row.version) {
  return {
    before: { ...row, version: expectedVersion },
    next: {
      ...row,
      available: row.available + change,
      total: row.total + change,
      version: row.version + 1,
      updatedAt: later,
    },
    deltas: { available: change, reserved: 0, damaged: 0, inTransit: 0, backordered: 0 },
  };
}

/** Runs `work` in a transaction that the caller's rule rolls back when it was not applied. */
async function guarded(
  store: StockStore,
  work: Parameters<StockStore['transaction']>[0],
): Promise<unknown> {
  const refused = new Error('not applied: roll back');
  try {
    return await store.transaction(async (transaction) => {
      const outcome = await work(transaction);
      if ((outcome as { applied?: boolean }).applied === false) throw refused;
      return outcome;
    });
  } catch (error) {
    if (error === refused) return { applied: false };
    throw error;
  }
}

describe('bulk writes: the guarded update', () => {
  it('refuses a chunk with a row not at its expected version (written or unchanged), and the rollback leaves every row as it was', async () => {
    const store = await openStore({ filename: tempFile() });
    await seedWarehouses(stockroomOver(store));
    const rows = warehouses.map((warehouseId) => ({
      ...createStock({ sku: 'GUARD', warehouseId }, now),
      available: 5,
      total: 5,
    }));
    await store
      .transaction(async (transaction) => {
        expect(await transaction.bulk!.insertStock(rows)).toEqual({ applied: true });
        expect(await transaction.bulk!.insertStock([rows[0]!])).toEqual({ applied: false });
        throw new Error('undo the second insert attempt');
      })
      .catch(() => undefined);
    await store.transaction(async (transaction) => {
      await transaction.bulk!.insertStock(rows);
    });
    const [first, second, third] = rows as [InventoryStock, InventoryStock, InventoryStock];
    for (const [writes, unchanged] of [
      [[write(first, 2), write(second, 3, 7)], [third]],
      [[write(first, 2)], [{ ...third, version: 4 }]],
    ] as const) {
      expect(
        await guarded(store, (transaction) => transaction.bulk!.updateStock(writes, unchanged)),
      ).toEqual({ applied: false });
    }
    expect(
      (await store.reads.stockBySku('GUARD')).map((row) => [row.available, row.version]),
    ).toEqual([
      [5, 0],
      [5, 0],
      [5, 0],
    ]);

    expect(
      await guarded(store, (transaction) =>
        transaction.bulk!.updateStock([write(second, -5), write(first, 4)], [third]),
      ),
    ).toEqual({ applied: true });
    expect(
      (await store.reads.stockBySku('GUARD')).map((row) => [
        row.warehouseId,
        row.available,
        row.total,
        row.version,
      ]),
    ).toEqual([
      ['berlin', 5, 5, 0],
      ['london', 0, 0, 1],
      ['paris', 9, 9, 1],
    ]);
  });
});
