import { createStockroom, isStockroomError, optimisticEverywhere } from '@stockroom/core';
import { replayLedger } from '@stockroom/core/testing';
import { describe, expect, it } from 'vitest';
import { dropSchema, freshStore, skipReason } from './support.js';

// The single-row case of invariant 7: 1,000 RESTOCKs of one row from 32 concurrent callers
// (pool 10). Before row locks and deadline-bounded retries, 332 of them failed with
// VERSION_CONFLICT and the row ended at 669.

const CALLS = 1000;
const CALLERS = 32;

async function hammer(
  adjust: () => Promise<unknown>,
): Promise<{ failures: string[]; perSecond: number }> {
  const failures: string[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CALLERS }, async () => {
      while (next < CALLS) {
        next += 1;
        try {
          await adjust();
        } catch (error) {
          failures.push(isStockroomError(error) ? error.code : String(error));
        }
      }
    }),
  );
  return { failures, perSecond: CALLS / ((performance.now() - started) / 1000) };
}

describe.skipIf(skipReason)('contention on one row (PostgreSQL)', () => {
  it('1,000 concurrent adjusts of one row from 32 callers all succeed', {
    timeout: 120_000,
  }, async () => {
    const store = await freshStore('contention_adjust', { poolSize: 10 });
    try {
      const stockroom = createStockroom({ store });
      await stockroom.warehouses.create({ id: 'paris', name: 'Paris' });
      await stockroom.adjustments.adjust({
        sku: 'ONE',
        warehouseId: 'paris',
        type: 'RESTOCK',
        quantity: 1,
      });
      const { failures } = await hammer(() =>
        stockroom.adjustments.adjust({
          sku: 'ONE',
          warehouseId: 'paris',
          type: 'RESTOCK',
          quantity: 1,
        }),
      );
      expect(failures).toEqual([]);
      expect((await store.reads.stockBySku('ONE'))[0]).toMatchObject({
        available: CALLS + 1,
        version: CALLS + 1,
      });
      expect(await replayLedger(store)).toEqual([]);
    } finally {
      await store.close();
      await dropSchema(store.schema);
    }
  });

  it('the same with no lanes and no row locks: retries within the deadline, nothing surfaced', {
    timeout: 120_000,
  }, async () => {
    const store = await freshStore('contention_optimistic', { poolSize: 10 });
    try {
      const stockroom = createStockroom({
        store,
        policies: { locking: optimisticEverywhere, writeLanes: false },
      });
      await stockroom.warehouses.create({ id: 'paris', name: 'Paris' });
      const { failures } = await hammer(() =>
        stockroom.adjustments.adjust({
          sku: 'ONE',
          warehouseId: 'paris',
          type: 'RESTOCK',
          quantity: 1,
        }),
      );
      expect(failures).toEqual([]);
      expect((await store.reads.stockBySku('ONE'))[0]).toMatchObject({ available: CALLS });
      expect(stockroom.stats.conflicts).toBeGreaterThan(0);
      expect(await replayLedger(store)).toEqual([]);
    } finally {
      await store.close();
      await dropSchema(store.schema);
    }
  });
});
