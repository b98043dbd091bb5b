import { describe, expect, it } from 'vitest';
import type { Stockroom } from '../../create-stockroom.js';
import type { ChangeContext } from '../../domain/movement.js';
import { isStockroomError } from '../../errors/stockroom-error.js';
import type { StockStoreContractOptions } from '../define-stock-store-contract.js';
import { readAll, replayLedger, reservedMismatches, seedWarehouses, stock } from '../fixtures.js';
import { useContractWorld } from './harness.js';

const SKUS = ['HOT-1', 'HOT-2'] as const;
const WAREHOUSES = ['paris', 'london'] as const;

/** Codes a valid command may never get because of contention (invariant 7). */
const CONTENTION_CODES = new Set(['VERSION_CONFLICT', 'STORE_UNAVAILABLE']);

function codesOf(results: readonly PromiseSettledResult<unknown>[]): string[] {
  return results.flatMap((result) =>
    result.status === 'rejected'
      ? [isStockroomError(result.reason) ? result.reason.code : String(result.reason)]
      : [],
  );
}

/** Calls `call` `count` times at once, alternating two instances; counts the replays. */
async function sameKey<T>(
  instances: readonly Stockroom[],
  count: number,
  call: (stockroom: Stockroom, context: ChangeContext) => Promise<T>,
  key: string,
): Promise<{ results: T[]; replays: number }> {
  let replays = 0;
  const results = await Promise.all(
    Array.from({ length: count }, (_, index) =>
      call(instances[index % instances.length]!, {
        idempotencyKey: key,
        onReplay: () => {
          replays += 1;
        },
      }),
    ),
  );
  return { results, replays };
}

/**
 * Invariant 7 — no valid command is refused because of contention — and replays under
 * contention, on the store's default policies (two instances of the host app on one store).
 */
export function contentionContract(options: StockStoreContractOptions): void {
  describe(`${options.name}: contention`, () => {
    const world = useContractWorld(options);

    it('everything at once on few rows: no conflict surfaced, every invariant holds', async () => {
      await seedWarehouses(world.stockroom);
      const other = world.createStockroom();
      const instances = [world.stockroom, other];
      const pick = (index: number) => instances[index % 2]!;
      for (const sku of SKUS)
        for (const warehouse of WAREHOUSES) await stock(world.stockroom, sku, warehouse, 500);
      // Holds and transfers the concurrent phase acts on.
      const holds = await Promise.all(
        Array.from({ length: 24 }, (_, index) =>
          pick(index).reservations.reserve({
            orderId: `order-${index}`,
            items: [
              { sku: SKUS[index % 2]!, quantity: 1 + (index % 3) },
              ...(index % 3 === 0 ? [{ sku: SKUS[(index + 1) % 2]!, quantity: 1 }] : []),
            ],
          }),
        ),
      );
      const transfers = await Promise.all(
        Array.from({ length: 6 }, (_, index) =>
          pick(index).transfers.create({
            sku: SKUS[index % 2]!,
            fromWarehouseId: WAREHOUSES[index % 2]!,
            toWarehouseId: WAREHOUSES[(index + 1) % 2]!,
            quantity: 2,
          }),
        ),
      );
      await Promise.all(transfers.slice(0, 2).map((transfer) => other.transfers.ship(transfer.id)));

      let replays = 0;
      const keyed = (key: string): ChangeContext => ({
        idempotencyKey: key,
        onReplay: () => {
          replays += 1;
        },
      });
      const calls: Array<() => Promise<unknown>> = [];
      for (let index = 0; index < 40; index += 1) {
        calls.push(() =>
          pick(index).reservations.reserve(
            {
              items: [
                { sku: SKUS[index % 2]!, quantity: 1 + (index % 2) },
                ...(index % 4 === 0 ? [{ sku: SKUS[(index + 1) % 2]!, quantity: 1 }] : []),
              ],
            },
            keyed(`reserve-${index}`),
          ),
        );
      }
      holds.forEach((hold, index) => {
        const stockroom = pick(index + 1);
        if (index < 8)
          calls.push(() => stockroom.reservations.commit(hold.id, keyed(`commit-${index}`)));
        else if (index < 14)
          calls.push(() => stockroom.reservations.release(hold.id, keyed(`release-${index}`)));
        else if (index < 18)
          calls.push(() => stockroom.reservations.extend(hold.id, 60, keyed(`extend-${index}`)));
        else if (index < 21)
          calls.push(() =>
            stockroom.orders.cancel(hold.orderId!, undefined, keyed(`cancel-${index}`)),
          );
      });
      SKUS.forEach((sku, skuIndex) => {
        WAREHOUSES.forEach((warehouseId, warehouseIndex) => {
          const n = skuIndex * 2 + warehouseIndex;
          const adjust = pick(n).adjustments;
          calls.push(
            () =>
              adjust.adjust(
                { sku, warehouseId, type: 'RESTOCK', quantity: 5 },
                keyed(`restock-${n}`),
              ),
            () =>
              adjust.adjust(
                { sku, warehouseId, type: 'DAMAGE', quantity: 1 },
                keyed(`damage-${n}`),
              ),
            () =>
              adjust.adjust(
                { sku, warehouseId, type: 'ADJUSTMENT', quantity: -1 },
                keyed(`count-${n}`),
              ),
            () => adjust.adjust({ sku, warehouseId, type: 'RETURN', quantity: 1 }),
          );
        });
      });
      calls.push(
        () => other.transfers.receive(transfers[0]!.id, keyed('receive-0')),
        () => world.stockroom.transfers.receive(transfers[1]!.id, keyed('receive-1')),
        () => world.stockroom.transfers.ship(transfers[2]!.id, keyed('ship-2')),
        () => other.transfers.ship(transfers[3]!.id, keyed('ship-3')),
        () => other.transfers.cancel(transfers[4]!.id, keyed('cancel-4')),
        () =>
          world.stockroom.transfers.create(
            { sku: 'HOT-1', fromWarehouseId: 'london', toWarehouseId: 'paris', quantity: 3 },
            keyed('transfer-new'),
          ),
        () =>
          world.stockroom.adjustments.bulkUpdate(
            {
              mode: 'delta',
              atomic: true,
              items: SKUS.flatMap((sku) =>
                WAREHOUSES.map((warehouseId) => ({ sku, warehouseId, quantity: 3 })),
              ),
            },
            keyed('bulk-atomic'),
          ),
        () =>
          other.adjustments.bulkUpdate(
            {
              mode: 'delta',
              items: SKUS.flatMap((sku) =>
                WAREHOUSES.map((warehouseId) => ({ sku, warehouseId, quantity: 2 })),
              ),
            },
            keyed('bulk-loose'),
          ),
        () => other.reservations.expireDue(),
      );
      // Replays racing their first call.
      calls.push(
        () =>
          other.reservations.reserve(
            {
              items: [
                { sku: 'HOT-1', quantity: 1 },
                { sku: 'HOT-2', quantity: 1 },
              ],
            },
            keyed('reserve-0'),
          ),
        () => world.stockroom.reservations.commit(holds[0]!.id, keyed('commit-0')),
        () =>
          world.stockroom.adjustments.adjust(
            { sku: 'HOT-1', warehouseId: 'paris', type: 'RESTOCK', quantity: 5 },
            keyed('restock-0'),
          ),
      );
      const results = await Promise.allSettled(calls.map((call) => call()));
      const codes = codesOf(results);
      expect(codes.filter((code) => CONTENTION_CODES.has(code))).toEqual([]);
      expect(codes).toEqual([]);
      expect(replays).toBe(3);

      const rows = await world.store.reads.stockBySkus([...SKUS]);
      for (const row of rows) {
        for (const quantity of [row.available, row.reserved, row.damaged, row.inTransit])
          expect(quantity).toBeGreaterThanOrEqual(0);
      }
      expect(await replayLedger(world.store)).toEqual([]);
      expect(await reservedMismatches(world.store)).toEqual([]);
      // Units are conserved: seeded 2 000, restocked 4×5 (once: restock-0 replayed), returned
      // 4×1, corrected 4×−1, bulk +4×3 and +4×2; damage moves units, it does not remove them.
      const total = rows.reduce((sum, row) => sum + row.total, 0);
      const sold = (await readAll((page) => world.store.reads.movements({}, page)))
        .filter((movement) => movement.type === 'SALE')
        .reduce((sum, movement) => sum - movement.deltas.reserved, 0);
      expect(total + sold).toBe(2000 + 20 + 4 - 4 + 12 + 8);
    });

    it('concurrent calls with one key: one effect and N−1 replays, for every keyed command', async () => {
      await seedWarehouses(world.stockroom);
      const instances = [world.stockroom, world.createStockroom()];
      for (const warehouse of WAREHOUSES) await stock(world.stockroom, 'HOT-1', warehouse, 100);
      const N = 6;
      const movementsOf = async (type: string) =>
        (await readAll((page) => world.store.reads.movements({ sku: 'HOT-1' }, page))).filter(
          (movement) => movement.type === type,
        ).length;

      const reserve = await sameKey(
        instances,
        N,
        (s, c) =>
          s.reservations.reserve({ orderId: 'o-1', items: [{ sku: 'HOT-1', quantity: 2 }] }, c),
        'reserve',
      );
      expect(reserve.replays).toBe(N - 1);
      expect(reserve.results.every((result) => result.id === reserve.results[0]!.id)).toBe(true);
      for (const result of reserve.results) expect(result).toEqual(reserve.results[0]);
      expect(await movementsOf('RESERVATION')).toBe(1);
      const hold = reserve.results[0]!;

      const extend = await sameKey(
        instances,
        N,
        (s, c) => s.reservations.extend(hold.id, 30, c),
        'extend',
      );
      expect(extend.replays).toBe(N - 1);
      expect((await world.stockroom.reservations.get(hold.id))!.expiresAt).toEqual(
        new Date(hold.expiresAt.getTime() + 30_000),
      );

      const commit = await sameKey(
        instances,
        N,
        (s, c) => s.reservations.commit(hold.id, c),
        'commit',
      );
      expect(commit.replays).toBe(N - 1);
      expect(await movementsOf('SALE')).toBe(1);

      const second = await world.stockroom.reservations.reserve({
        items: [{ sku: 'HOT-1', quantity: 1 }],
      });
      const release = await sameKey(
        instances,
        N,
        (s, c) => s.reservations.release(second.id, c),
        'release',
      );
      expect(release.replays).toBe(N - 1);
      expect(await movementsOf('RELEASE')).toBe(1);

      const cancel = await sameKey(
        instances,
        N,
        (s, c) => s.orders.cancel('o-1', undefined, c),
        'cancel',
      );
      expect(cancel.replays).toBe(N - 1);
      expect(await movementsOf('REFUND')).toBe(1);

      const adjust = await sameKey(
        instances,
        N,
        (s, c) =>
          s.adjustments.adjust(
            { sku: 'HOT-1', warehouseId: 'paris', type: 'RESTOCK', quantity: 7 },
            c,
          ),
        'adjust',
      );
      expect(adjust.replays).toBe(N - 1);
      expect(await movementsOf('RESTOCK')).toBe(3);

      const create = await sameKey(
        instances,
        N,
        (s, c) =>
          s.transfers.create(
            { sku: 'HOT-1', fromWarehouseId: 'paris', toWarehouseId: 'london', quantity: 4 },
            c,
          ),
        'transfer',
      );
      expect(create.replays).toBe(N - 1);
      const transfer = create.results[0]!;
      expect(create.results.every((result) => result.id === transfer.id)).toBe(true);
      const ship = await sameKey(instances, N, (s, c) => s.transfers.ship(transfer.id, c), 'ship');
      expect(ship.replays).toBe(N - 1);
      const receive = await sameKey(
        instances,
        N,
        (s, c) => s.transfers.receive(transfer.id, c),
        'receive',
      );
      expect(receive.replays).toBe(N - 1);
      expect(await movementsOf('TRANSFER_OUT')).toBe(1);
      expect(await movementsOf('TRANSFER_IN')).toBe(2);
      const doomed = await world.stockroom.transfers.create({
        sku: 'HOT-1',
        fromWarehouseId: 'london',
        toWarehouseId: 'paris',
        quantity: 1,
      });
      const cancelTransfer = await sameKey(
        instances,
        N,
        (s, c) => s.transfers.cancel(doomed.id, c),
        'cancel-t',
      );
      expect(cancelTransfer.replays).toBe(N - 1);

      for (const atomic of [true, false]) {
        const bulk = await sameKey(
          instances,
          N,
          (s, c) =>
            s.adjustments.bulkUpdate(
              {
                mode: 'delta',
                atomic,
                items: [{ sku: 'HOT-1', warehouseId: 'london', quantity: 1 }],
              },
              c,
            ),
          `bulk-${atomic}`,
        );
        expect(bulk.replays).toBe(N - 1);
        for (const result of bulk.results) expect(result).toEqual({ applied: 1, failed: [] });
      }
      expect(await movementsOf('ADJUSTMENT')).toBe(2);

      await world.stockroom.adjustments.adjust({
        sku: 'LOW',
        warehouseId: 'paris',
        type: 'RESTOCK',
        quantity: 3,
      });
      const [alert] = (await world.stockroom.alerts.list({ status: 'TRIGGERED' })).items;
      expect(alert).toBeDefined();
      const ack = await sameKey(
        instances,
        N,
        (s, c) => s.alerts.acknowledge(alert!.id, 'ops', c),
        'ack',
      );
      expect(ack.replays).toBe(N - 1);
      for (const result of ack.results) expect(result).toEqual(ack.results[0]);

      let runs = 0;
      const job = await sameKey(
        instances,
        N,
        (s, c) =>
          s.runOnce('job', { name: 'expire' }, c, async () => {
            runs += 1;
            await new Promise((resolve) => setImmediate(resolve));
            return { processed: runs };
          }),
        'job',
      );
      expect(runs).toBe(1);
      expect(job.replays).toBe(N - 1);
      for (const result of job.results) expect(result).toEqual({ processed: 1 });

      expect(await replayLedger(world.store)).toEqual([]);
      expect(await reservedMismatches(world.store)).toEqual([]);
    });

    it('a replay is answered from its stored result while other writers hold the rows', async () => {
      await seedWarehouses(world.stockroom);
      const other = world.createStockroom();
      await stock(world.stockroom, 'HOT-1', 'paris', 1000);
      const first = await world.stockroom.reservations.reserve(
        { items: [{ sku: 'HOT-1', quantity: 1 }] },
        { idempotencyKey: 'lost-answer' },
      );
      let replays = 0;
      const traffic = Array.from({ length: 40 }, (_, index) =>
        (index % 2 ? other : world.stockroom).reservations.reserve({
          items: [{ sku: 'HOT-1', quantity: 1 }],
        }),
      );
      const again = Array.from({ length: 16 }, (_, index) =>
        (index % 2 ? other : world.stockroom).reservations.reserve(
          { items: [{ sku: 'HOT-1', quantity: 1 }] },
          {
            idempotencyKey: 'lost-answer',
            onReplay: () => {
              replays += 1;
            },
          },
        ),
      );
      const answers = await Promise.all(again);
      await Promise.all(traffic);
      expect(replays).toBe(16);
      for (const answer of answers) expect(answer).toEqual(first);
    });

    it('a failing request does not fail the others of its batch', async () => {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'HOT-1', 'paris', 100);
      const settled = await Promise.allSettled(
        Array.from({ length: 12 }, (_, index) =>
          world.stockroom.reservations.reserve({
            items: [{ sku: 'HOT-1', quantity: index === 5 ? 1000 : 1 }],
          }),
        ),
      );
      expect(codesOf(settled)).toEqual(['INSUFFICIENT_STOCK']);
      expect((await world.store.reads.stockBySku('HOT-1'))[0]).toMatchObject({
        available: 89,
        reserved: 11,
      });
    });
  });
}
