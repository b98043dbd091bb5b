import { describe, expect, it } from 'vitest';
import { quantitiesOf, stockKeyOf } from '../../domain/inventory-stock.js';
import type { Movement } from '../../domain/movement.js';
import { HistoryArchivedError } from '../../errors/history-archived-error.js';
import { isStockroomError } from '../../errors/stockroom-error.js';
import type { LedgerCheckpoint } from '../../ports/history.js';
import type { StockStore } from '../../ports/stock-store.js';
import type { SkuStock } from '../../services/availability-service.js';
import type { StockStoreContractOptions } from '../define-stock-store-contract.js';
import { readAll, replayLedger, seedWarehouses, stock } from '../fixtures.js';
import { type ContractWorld, useContractWorld } from './harness.js';

const SECOND = 1000;

async function ledgerOf(store: StockStore): Promise<Movement[]> {
  return readAll<Movement>((page) => store.reads.ledger({}, page));
}

/** One movement a second: restocks, holds, sales and a transfer over SKUs A and B. */
async function history(world: ContractWorld, rounds: number): Promise<void> {
  const step = async (work: () => Promise<unknown>) => {
    world.clock.advance(SECOND);
    await work();
  };
  for (let round = 0; round < rounds; round += 1) {
    await step(() => stock(world.stockroom, 'A', 'paris', 5));
    await step(() => stock(world.stockroom, 'B', 'london', 3));
    let hold = '';
    await step(async () => {
      hold = (
        await world.stockroom.reservations.reserve({
          items: [{ sku: 'A', quantity: 2, warehouseId: 'paris' }],
        })
      ).id;
    });
    await step(() => world.stockroom.reservations.commit(hold));
    await step(() =>
      world.stockroom.adjustments.adjust({
        sku: 'B',
        warehouseId: 'london',
        type: 'DAMAGE',
        quantity: 1,
      }),
    );
  }
}

/** What stockAsOf answers for A and B at every movement's instant (and between them). */
async function answers(world: ContractWorld, instants: readonly Date[]): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const instant of instants) {
    for (const sku of ['A', 'B']) {
      try {
        const result: SkuStock = await world.stockroom.availability.stockAsOf(sku, instant);
        out.push(result);
      } catch (error) {
        if (isStockroomError(error)) out.push(error.code);
        else throw error;
      }
    }
  }
  return out;
}

/**
 * Ledger checkpoints and retention: reconciliation replays each row from its last verified
 * checkpoint, a full replay agrees with it, `stockAsOf` starts from a checkpoint, and archiving
 * removes exactly the movements it exported.
 */
export function historyContract(options: StockStoreContractOptions): void {
  describe(`${options.name}: ledger checkpoints and retention`, () => {
    const world = useContractWorld(options);

    it('a reconcile replays only what changed since the last one; a full replay agrees', async () => {
      await seedWarehouses(world.stockroom);
      await history(world, 3);
      const total = (await ledgerOf(world.store)).length;
      expect(total).toBe(15);

      const first = await world.stockroom.reconciliation.reconcile();
      expect(first).toEqual({
        checked: 2,
        discrepancies: [],
        repaired: 0,
        mode: 'incremental',
        replayed: 15,
        checkpointed: 2,
        checkpointMismatches: [],
        receiptDiscrepancies: [],
      });
      const rows = await readAll((page) => world.store.reads.allStock(page));
      const checkpoints = await world.store.reads.latestCheckpoints(['A', 'B']);
      expect(
        checkpoints.map((item) => ({
          ...quantitiesOf(item),
          key: stockKeyOf(item),
          v: item.version,
        })),
      ).toEqual(
        rows.map((row) => ({ ...quantitiesOf(row), key: stockKeyOf(row), v: row.version })),
      );
      const lastA = (await world.store.reads.movements({ sku: 'A' }, { limit: 1 })).items[0]!;
      expect(checkpoints[0]).toMatchObject({
        sku: 'A',
        warehouseId: 'paris',
        movedAt: lastA.createdAt,
        lastRestockedAt: new Date(lastA.createdAt.getTime() - 3 * SECOND),
        lastSoldAt: lastA.createdAt,
        verifiedAt: world.clock.now(),
      });

      // Nothing changed: nothing replayed, nothing written.
      expect(await world.stockroom.reconciliation.reconcile()).toMatchObject({
        checked: 2,
        replayed: 0,
        checkpointed: 0,
      });

      await history(world, 1);
      expect(await world.stockroom.reconciliation.reconcile()).toMatchObject({
        checked: 2,
        discrepancies: [],
        replayed: 5,
        checkpointed: 2,
      });
      expect(await world.stockroom.reconciliation.reconcile({ full: true })).toEqual({
        checked: 2,
        discrepancies: [],
        repaired: 0,
        mode: 'full',
        replayed: 20,
        checkpointed: 0,
        checkpointMismatches: [],
        receiptDiscrepancies: [],
      });
      expect(await replayLedger(world.store)).toEqual([]);
    });

    it('a checkpoint the ledger does not reproduce is reported by a full run and replaced', async () => {
      await seedWarehouses(world.stockroom);
      await history(world, 2);
      await world.stockroom.reconciliation.reconcile();
      const [good] = await world.store.reads.latestCheckpoints(['A']);
      const bad: LedgerCheckpoint = { ...good!, available: good!.available + 4 };
      await world.store.transaction((transaction) => transaction.history.writeCheckpoints([bad]));
      expect(await world.store.reads.latestCheckpoints(['A'])).toEqual([bad]);

      // From the bad checkpoint the row does not add up: reported, never silently trusted.
      expect((await world.stockroom.reconciliation.reconcile()).discrepancies).toEqual([
        {
          sku: 'A',
          warehouseId: 'paris',
          kind: 'ledger',
          bucket: 'available',
          stored: good!.available,
          expected: good!.available + 4,
        },
      ]);
      const full = await world.stockroom.reconciliation.reconcile({ full: true });
      expect(full).toMatchObject({
        discrepancies: [],
        checkpointed: 1,
        checkpointMismatches: [
          {
            sku: 'A',
            warehouseId: 'paris',
            version: good!.version,
            checkpoint: quantitiesOf(bad),
            replayed: quantitiesOf(good!),
          },
        ],
      });
      expect(await world.store.reads.latestCheckpoints(['A'])).toMatchObject([
        { ...quantitiesOf(good!), version: good!.version },
      ]);
      expect(await world.stockroom.reconciliation.reconcile()).toMatchObject({
        discrepancies: [],
        replayed: 0,
      });
    });

    it('checkpoint reads: latest per row, as of an instant, and ledger slices in bounded batches', async () => {
      await seedWarehouses(world.stockroom);
      await history(world, 2);
      const t1 = world.clock.now();
      await world.stockroom.reconciliation.reconcile();
      await history(world, 2);
      world.clock.advance(SECOND);
      await world.stockroom.reconciliation.reconcile();
      const latest = await world.store.reads.latestCheckpoints(['A', 'B', 'missing']);
      expect(latest.map((item) => [item.sku, item.warehouseId, item.version])).toEqual([
        ['A', 'paris', 12],
        ['B', 'london', 8],
      ]);
      expect(
        (await world.store.reads.checkpointsAsOf('A', t1)).map((item) => item.version),
      ).toEqual([6]);
      expect(
        await world.store.reads.checkpointsAsOf('A', new Date(t1.getTime() - 10 * SECOND)),
      ).toEqual([]);
      expect(
        (await world.store.reads.checkpointsAsOf('A', world.clock.now())).map(
          (item) => item.version,
        ),
      ).toEqual([12]);

      const ranges = [
        { sku: 'B', warehouseId: 'london', afterVersion: 2, throughVersion: 5 },
        { sku: 'A', warehouseId: 'paris', afterVersion: 10 },
        { sku: 'A', warehouseId: 'london', afterVersion: 0 },
      ];
      const slice = await world.store.reads.ledgerSince(ranges, { limit: 100 });
      expect(slice.map((item) => `${item.sku}@${item.warehouseId}#${item.version}`)).toEqual([
        'A@paris#11',
        'A@paris#12',
        'B@london#3',
        'B@london#4',
        'B@london#5',
      ]);
      expect(
        (await world.store.reads.ledgerSince(ranges, { limit: 3 })).map((item) => item.version),
      ).toEqual([11, 12, 3]);
      const sums = await world.store.reads.ledgerSums([
        ...ranges,
        { sku: 'A', warehouseId: 'paris', afterVersion: 0, throughVersion: 4 },
        { sku: 'B', warehouseId: 'london', afterVersion: 8, throughVersion: 20 },
      ]);
      const byRange = (left: { sku: string; afterVersion: number }, right: typeof left) =>
        left.sku < right.sku
          ? -1
          : left.sku > right.sku
            ? 1
            : left.afterVersion - right.afterVersion;
      const at = (sku: string, version: number) =>
        slice.find((item) => item.sku === sku && item.version === version)?.createdAt;
      const paris = await readAll<Movement>((page) =>
        world.store.reads.ledger({ sku: 'A', warehouseId: 'paris' }, page),
      );
      expect([...sums].sort(byRange)).toEqual([
        {
          sku: 'A',
          warehouseId: 'paris',
          afterVersion: 0,
          count: 4,
          // RESTOCK +5, RESERVATION 2, SALE 2, RESTOCK +5
          deltas: { available: 8, reserved: 0, damaged: 0, inTransit: 0, backordered: 0 },
          lastVersion: 4,
          lastMovedAt: paris[3]!.createdAt,
          lastRestockedAt: paris[3]!.createdAt,
          lastSoldAt: paris[2]!.createdAt,
        },
        {
          sku: 'A',
          warehouseId: 'paris',
          afterVersion: 10,
          count: 2,
          // RESERVATION 2, SALE 2
          deltas: { available: -2, reserved: 0, damaged: 0, inTransit: 0, backordered: 0 },
          lastVersion: 12,
          lastMovedAt: at('A', 12),
          lastRestockedAt: null,
          lastSoldAt: at('A', 12),
        },
        {
          sku: 'B',
          warehouseId: 'london',
          afterVersion: 2,
          count: 3,
          deltas: { available: 5, reserved: 0, damaged: 1, inTransit: 0, backordered: 0 },
          lastVersion: 5,
          lastMovedAt: at('B', 5),
          lastRestockedAt: at('B', 5),
          lastSoldAt: null,
        },
      ]);
      const until = slice[3]!.createdAt;
      expect(
        (await world.store.reads.ledgerSince(ranges, { limit: 100, until })).map(
          (item) => `${item.sku}#${item.version}`,
        ),
      ).toEqual(['B#3', 'B#4']);
    });

    it('stockAsOf from checkpoints answers exactly what the ledger alone answered', async () => {
      await seedWarehouses(world.stockroom);
      const start = world.clock.now().getTime();
      await history(world, 2);
      await world.stockroom.reconciliation.reconcile();
      await history(world, 1);
      world.clock.advance(SECOND);
      await world.stockroom.reconciliation.reconcile();
      await history(world, 1);
      const instants = Array.from(
        { length: 23 },
        (_, index) => new Date(start + index * SECOND + (index % 2 === 0 ? 0 : 500)),
      );
      const withCheckpoints = await answers(world, instants);
      // The same store content replayed from nothing: drop the checkpoints' help by asking a
      // fresh full replay of the raw ledger through a second store read path.
      const ledger = await ledgerOf(world.store);
      for (const instant of instants) {
        for (const sku of ['A', 'B']) {
          const index = instants.indexOf(instant) * 2 + (sku === 'A' ? 0 : 1);
          const last = new Map<string, Movement>();
          for (const movement of ledger) {
            if (movement.sku !== sku || movement.createdAt > instant) continue;
            last.set(movement.warehouseId, movement);
          }
          if (last.size === 0) {
            expect(withCheckpoints[index]).toBe('NOT_FOUND');
            continue;
          }
          const answer = withCheckpoints[index] as SkuStock;
          expect(
            answer.warehouses.map((row) => ({
              warehouseId: row.warehouseId,
              ...quantitiesOf(row),
              version: row.version,
              updatedAt: row.updatedAt,
            })),
          ).toEqual(
            [...last.values()].map((movement) => ({
              warehouseId: movement.warehouseId,
              ...movement.after,
              version: movement.version,
              updatedAt: movement.createdAt,
            })),
          );
        }
      }
    });

    it('archives exactly the checkpointed movements before the horizon; before it, stockAsOf is HISTORY_ARCHIVED', async () => {
      await seedWarehouses(world.stockroom);
      await history(world, 2);
      await world.stockroom.reconciliation.reconcile();
      const covered = await ledgerOf(world.store);
      world.clock.advance(SECOND);
      await history(world, 1);
      const horizon = new Date(world.clock.now().getTime() + SECOND);
      const uncovered = (await ledgerOf(world.store)).filter(
        (movement) => !covered.some((item) => item.id === movement.id),
      );
      world.clock.advance(10 * SECOND);
      await history(world, 1);
      const before = await ledgerOf(world.store);
      const instants = before.map((movement) => movement.createdAt).filter((at) => at >= horizon);
      const answersBefore = await answers(world, instants);

      const byTime = (left: Movement, right: Movement) =>
        left.createdAt.getTime() - right.createdAt.getTime() || (left.id < right.id ? -1 : 1);
      const preview: Movement[] = [];
      for await (const movement of world.stockroom.history.archivable({ before: horizon })) {
        preview.push(movement);
      }
      expect(preview).toEqual([...covered].sort(byTime));

      const written: Movement[] = [];
      const result = await world.stockroom.history.archive({
        before: horizon,
        batchSize: 4,
        sink: async (batch) => {
          written.push(...batch);
        },
      });
      expect(result).toEqual({
        horizon,
        exported: covered.length,
        removed: covered.length,
        checkpointsPruned: 0,
      });
      expect(written).toEqual([...covered].sort(byTime));
      const after = await ledgerOf(world.store);
      expect(after.map((item) => item.id).sort()).toEqual(
        before
          .filter((item) => !written.some((gone) => gone.id === item.id))
          .map((item) => item.id)
          .sort(),
      );
      // Movements before the horizon that no checkpoint covered stay.
      expect(uncovered.length).toBeGreaterThan(0);
      for (const movement of uncovered) expect(after.map((item) => item.id)).toContain(movement.id);
      expect(await world.stockroom.history.horizon()).toEqual(horizon);

      const early = new Date(horizon.getTime() - 1);
      const refused = await world.stockroom.availability.stockAsOf('A', early).catch((e) => e);
      expect(refused).toBeInstanceOf(HistoryArchivedError);
      expect(refused).toMatchObject({ code: 'HISTORY_ARCHIVED', horizon, requested: early });
      expect(await answers(world, instants)).toEqual(answersBefore);

      // Reconciliation keeps working, incremental and full (from the kept checkpoint).
      expect(await world.stockroom.reconciliation.reconcile()).toMatchObject({
        discrepancies: [],
        checkpointMismatches: [],
      });
      expect(await world.stockroom.reconciliation.reconcile({ full: true })).toMatchObject({
        discrepancies: [],
        checkpointMismatches: [],
        replayed: after.length,
      });
      // Nothing left to archive before the same horizon.
      expect(
        await world.stockroom.history.archive({ before: horizon, sink: async () => {} }),
      ).toMatchObject({ exported: 0, removed: 0, horizon });
    });

    it('a sink that fails stops the archive: nothing it did not acknowledge is removed', async () => {
      await seedWarehouses(world.stockroom);
      await history(world, 3);
      await world.stockroom.reconciliation.reconcile();
      world.clock.advance(SECOND);
      const horizon = world.clock.now();
      const before = await ledgerOf(world.store);
      expect(before).toHaveLength(15);
      const written: Movement[] = [];
      let calls = 0;
      const failure = new Error('disk full');
      await expect(
        world.stockroom.history.archive({
          before: horizon,
          batchSize: 4,
          sink: async (batch) => {
            calls += 1;
            if (calls === 3) throw failure;
            written.push(...batch);
          },
        }),
      ).rejects.toBe(failure);
      const after = await ledgerOf(world.store);
      expect(written).toHaveLength(8);
      expect(after).toHaveLength(15 - 8);
      const kept = new Set(after.map((item) => item.id));
      for (const movement of before) {
        // Every movement is either still in the store or was written by the sink: never lost.
        expect(kept.has(movement.id) || written.some((item) => item.id === movement.id)).toBe(true);
      }
      for (const movement of written) expect(kept.has(movement.id)).toBe(false);
      expect(await world.stockroom.history.horizon()).toEqual(horizon);

      const rest: Movement[] = [];
      expect(
        await world.stockroom.history.archive({
          before: horizon,
          sink: async (batch) => {
            rest.push(...batch);
          },
        }),
      ).toMatchObject({ exported: 7, removed: 7 });
      expect(new Set([...written, ...rest].map((item) => item.id))).toEqual(
        new Set(before.map((item) => item.id)),
      );
      expect(await ledgerOf(world.store)).toEqual([]);
      // The rows are still explained: from their checkpoints.
      expect(await world.stockroom.reconciliation.reconcile({ full: true })).toMatchObject({
        checked: 2,
        discrepancies: [],
        replayed: 0,
      });
    });

    it('prunes superseded checkpoints before the horizon and keeps the latest one per row', async () => {
      await seedWarehouses(world.stockroom);
      await history(world, 1);
      await world.stockroom.reconciliation.reconcile();
      await history(world, 1);
      await world.stockroom.reconciliation.reconcile();
      await history(world, 1);
      await world.stockroom.reconciliation.reconcile();
      world.clock.advance(SECOND);
      const result = await world.stockroom.history.archive({
        before: world.clock.now(),
        sink: async () => {},
      });
      expect(result).toMatchObject({ exported: 15, removed: 15, checkpointsPruned: 4 });
      expect(
        (await world.store.reads.checkpointsAsOf('A', world.clock.now())).map(
          (item) => item.version,
        ),
      ).toEqual([9]);
    });

    it('refuses a horizon in the future and bad batch sizes', async () => {
      const future = new Date(world.clock.now().getTime() + 1);
      for (const options of [
        { before: future },
        { before: new Date(Number.NaN) },
        { olderThanMs: Number.NaN },
        { before: world.clock.now(), batchSize: 0 },
      ]) {
        await expect(
          world.stockroom.history.archive({ ...options, sink: async () => {} } as never),
        ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
      }
      await expect(
        world.stockroom.reconciliation.reconcile({ full: 'yes' } as never),
      ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    });
  });
}
