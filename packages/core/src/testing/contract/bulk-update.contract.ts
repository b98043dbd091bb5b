import { describe, expect, it } from 'vitest';
import type { Movement } from '../../domain/movement.js';
import type { StockStoreContractOptions } from '../define-stock-store-contract.js';
import { readAll, replayLedger, seedWarehouses, stock } from '../fixtures.js';
import { useContractWorld } from './harness.js';

/** Invariant 5 for bulk imports: atomic means all or nothing; otherwise per-item outcomes. */
export function bulkUpdateContract(options: StockStoreContractOptions): void {
  describe(`${options.name}: bulk update`, () => {
    // Small batches, so a few hundred items span several of them on every backend.
    const world = useContractWorld(options, { bulkBatchSize: 40 });
    const allMovements = () => readAll<Movement>((page) => world.store.reads.ledger({}, page));
    const mixed = [
      { sku: 'A', warehouseId: 'paris', quantity: 3 },
      { sku: 'B', warehouseId: 'london', quantity: 4 },
      { sku: 'A', warehouseId: 'london', quantity: -1 },
      { sku: 'C', warehouseId: 'nowhere', quantity: 1 },
      { sku: 'D', warehouseId: 'paris', quantity: 0 },
    ];
    const mixedFailures = [
      { index: 2, code: 'INSUFFICIENT_STOCK' },
      { index: 3, code: 'NOT_FOUND' },
      { index: 4, code: 'VALIDATION_FAILED' },
    ];

    it('atomic: one failing item leaves nothing applied and every failure is listed', async () => {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'A', 'paris', 5);
      const rows = await readAll((page) => world.store.reads.allStock(page));
      const pending = (await world.store.reads.outboxLag()).pending;
      const result = await world.stockroom.adjustments.bulkUpdate({
        mode: 'delta',
        atomic: true,
        items: mixed,
      });
      expect(result.applied).toBe(0);
      expect(result.failed).toMatchObject(mixedFailures);
      expect(result.failed).toHaveLength(3);
      expect(await readAll((page) => world.store.reads.allStock(page))).toEqual(rows);
      expect(await allMovements()).toHaveLength(1);
      expect((await world.store.reads.outboxLag()).pending).toBe(pending);

      const valid = await world.stockroom.adjustments.bulkUpdate({
        mode: 'delta',
        atomic: true,
        items: mixed.slice(0, 2),
      });
      expect(valid).toEqual({ applied: 2, failed: [] });
      expect(await world.store.reads.stockBySkus(['A', 'B'])).toMatchObject([
        { sku: 'A', warehouseId: 'paris', available: 8, version: 2 },
        { sku: 'B', warehouseId: 'london', available: 4, version: 1 },
      ]);
      expect(await replayLedger(world.store)).toEqual([]);
    });

    it('atomic over several batches is still all or nothing', async () => {
      await seedWarehouses(world.stockroom);
      const items = Array.from({ length: 130 }, (_, index) => ({
        sku: `S-${String(index).padStart(4, '0')}`,
        warehouseId: 'paris',
        quantity: 20,
      }));
      const failing = [...items, { sku: 'S-9999', warehouseId: 'paris', quantity: -1 }];
      const refused = await world.stockroom.adjustments.bulkUpdate({
        mode: 'delta',
        atomic: true,
        items: failing,
      });
      expect(refused).toMatchObject({
        applied: 0,
        failed: [{ index: 130, code: 'INSUFFICIENT_STOCK' }],
      });
      expect(refused.failed).toHaveLength(1);
      expect((await world.store.reads.allStock({ limit: 10 })).items).toEqual([]);
      expect(await allMovements()).toEqual([]);

      expect(
        await world.stockroom.adjustments.bulkUpdate({ mode: 'set', atomic: true, items }),
      ).toEqual({ applied: 130, failed: [] });
      expect(await readAll((page) => world.store.reads.allStock(page))).toHaveLength(130);
      expect(await allMovements()).toHaveLength(130);
    });

    it('non-atomic applies the good items with one movement per changed row and reports the rest', async () => {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'A', 'paris', 5);
      world.clock.advance(1000);
      const result = await world.stockroom.adjustments.bulkUpdate(
        { mode: 'delta', items: mixed },
        { actor: 'importer' },
      );
      expect(result.applied).toBe(2);
      expect(result.failed).toMatchObject(mixedFailures);
      expect(result.failed).toHaveLength(3);
      expect(await world.store.reads.stockBySkus(['A', 'B'])).toMatchObject([
        { sku: 'A', warehouseId: 'paris', available: 8, version: 2 },
        { sku: 'B', warehouseId: 'london', available: 4, version: 1 },
      ]);
      const [latest] = (await world.store.reads.movements({ sku: 'A' }, {})).items;
      expect(latest).toMatchObject({
        type: 'ADJUSTMENT',
        actor: 'importer',
        reason: 'bulk update (delta)',
        deltas: { available: 3 },
      });

      await world.stockroom.warehouses.update('berlin', { capacity: 10 });
      const before = (await allMovements()).length;
      const set = await world.stockroom.adjustments.bulkUpdate({
        mode: 'set',
        items: [
          { sku: 'A', warehouseId: 'paris', quantity: 2 },
          { sku: 'A', warehouseId: 'paris', quantity: 3 },
          { sku: 'B', warehouseId: 'london', quantity: 4 },
          { sku: 'E', warehouseId: 'berlin', quantity: 7 },
          { sku: 'F', warehouseId: 'berlin', quantity: 4 },
        ],
      });
      expect(set.applied).toBe(3);
      expect(set.failed).toMatchObject([
        { index: 1, code: 'VALIDATION_FAILED' },
        { index: 4, code: 'CAPACITY_EXCEEDED' },
      ]);
      expect(set.failed).toHaveLength(2);
      expect(await world.store.reads.stockBySkus(['A', 'B', 'E', 'F'])).toMatchObject([
        { sku: 'A', warehouseId: 'paris', available: 2, version: 3 },
        { sku: 'B', warehouseId: 'london', available: 4, version: 1 },
        { sku: 'E', warehouseId: 'berlin', available: 7, version: 1 },
      ]);
      // B was already at 4: no movement for it.
      expect((await allMovements()).length).toBe(before + 2);
      expect(await replayLedger(world.store)).toEqual([]);
      await expect(
        world.stockroom.adjustments.bulkUpdate({
          mode: 'replace' as 'set',
          items: [],
        }),
      ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    });

    it('streams an async iterable over several chunks, non-atomic: per-item failures by position, repeats across chunks refused', async () => {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'K-0003', 'paris', 5);
      const produced: number[] = [];
      async function* rows() {
        for (let index = 0; index < 100; index += 1) {
          produced.push(index);
          yield { sku: `K-${String(index).padStart(4, '0')}`, warehouseId: 'paris', quantity: 10 };
        }
        // Chunk 3 (items 80-119 with 40 a chunk): repeats of rows of chunks 1 and 3, a bad item.
        yield { sku: 'K-0001', warehouseId: 'paris', quantity: 99 };
        yield { sku: 'K-0099', warehouseId: 'paris', quantity: 99 };
        yield { sku: 'K-0100', warehouseId: 'nowhere', quantity: 1 };
        yield { sku: 'K-0101', warehouseId: 'london', quantity: -1 };
      }
      const result = await world.stockroom.adjustments.bulkUpdate(
        { mode: 'delta', items: rows() },
        { idempotencyKey: 'stream-1' },
      );
      expect(produced).toHaveLength(100);
      expect(result.applied).toBe(100);
      expect(result.failed).toMatchObject([
        { index: 100, code: 'VALIDATION_FAILED', detail: expect.stringContaining('items[1]') },
        { index: 101, code: 'VALIDATION_FAILED', detail: expect.stringContaining('items[99]') },
        { index: 102, code: 'NOT_FOUND' },
        { index: 103, code: 'INSUFFICIENT_STOCK' },
      ]);
      expect(result.failed).toHaveLength(4);
      const rowsNow = await readAll((page) => world.store.reads.allStock(page));
      expect(rowsNow).toHaveLength(100);
      expect(rowsNow.find((row) => row.sku === 'K-0003')).toMatchObject({ available: 15 });
      expect(rowsNow.find((row) => row.sku === 'K-0001')).toMatchObject({ available: 10 });
      // One movement per applied item plus the seed's, and the ledger replays.
      expect(await allMovements()).toHaveLength(101);
      expect(await replayLedger(world.store)).toEqual([]);

      // A replay with the same key reads nothing and writes nothing.
      produced.length = 0;
      const replayed = await world.stockroom.adjustments.bulkUpdate(
        { mode: 'delta', items: rows() },
        { idempotencyKey: 'stream-1' },
      );
      expect(replayed).toEqual(result);
      expect(produced).toEqual([]);
      expect(await allMovements()).toHaveLength(101);
    });

    it('atomic over a sync iterable of several chunks: a failure in the last chunk leaves nothing applied', async () => {
      await seedWarehouses(world.stockroom);
      function* rows(last: number) {
        for (let index = 0; index < 120; index += 1) {
          yield { sku: `T-${String(index).padStart(4, '0')}`, warehouseId: 'london', quantity: 7 };
        }
        yield { sku: 'T-9999', warehouseId: 'london', quantity: last };
      }
      const pending = (await world.store.reads.outboxLag()).pending;
      const refused = await world.stockroom.adjustments.bulkUpdate({
        mode: 'delta',
        atomic: true,
        items: rows(-1),
      });
      expect(refused).toEqual({
        applied: 0,
        failed: [{ index: 120, code: 'INSUFFICIENT_STOCK', detail: expect.any(String) }],
      });
      expect((await world.store.reads.allStock({ limit: 10 })).items).toEqual([]);
      expect(await allMovements()).toEqual([]);
      expect((await world.store.reads.outboxLag()).pending).toBe(pending);

      const done = await world.stockroom.adjustments.bulkUpdate({
        mode: 'set',
        atomic: true,
        items: rows(3),
      });
      expect(done).toEqual({ applied: 121, failed: [] });
      const stored = await readAll((page) => world.store.reads.allStock(page));
      expect(stored).toHaveLength(121);
      expect(stored.reduce((sum, row) => sum + row.available, 0)).toBe(120 * 7 + 3);
      expect(await allMovements()).toHaveLength(121);
      expect(await replayLedger(world.store)).toEqual([]);
      await expect(
        world.stockroom.adjustments.bulkUpdate({ mode: 'set', items: 42 as never }),
      ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    });
  });
}
