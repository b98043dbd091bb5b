import { describe, expect, it } from 'vitest';
import type { StockStoreContractOptions } from '../define-stock-store-contract.js';
import { readAll, seedWarehouses, stock } from '../fixtures.js';
import { useContractWorld } from './harness.js';

/** Invariant 4: a keyed command takes effect at most once. */
export function idempotencyContract(options: StockStoreContractOptions): void {
  describe(`${options.name}: idempotency`, () => {
    const world = useContractWorld(options);

    it('a replay returns the first result, changes nothing and says it is a replay', async () => {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'A', 'paris', 10);
      let replays = 0;
      const context = { idempotencyKey: 'key-1', onReplay: () => (replays += 1) };
      const first = await world.stockroom.reservations.reserve(
        { items: [{ sku: 'A', quantity: 2 }] },
        context,
      );
      const second = await world.stockroom.reservations.reserve(
        { items: [{ sku: 'A', quantity: 2 }] },
        context,
      );
      expect(second).toEqual(first);
      expect(second.createdAt).toBeInstanceOf(Date);
      expect(replays).toBe(1);
      expect((await world.store.reads.stockBySku('A'))[0]).toMatchObject({
        available: 8,
        reserved: 2,
      });
      const adjust = { sku: 'A', warehouseId: 'paris', type: 'RESTOCK' as const, quantity: 5 };
      const restocked = await world.stockroom.adjustments.adjust(adjust, {
        idempotencyKey: 'key-2',
      });
      expect(await world.stockroom.adjustments.adjust(adjust, { idempotencyKey: 'key-2' })).toEqual(
        restocked,
      );
      expect((await world.store.reads.stockBySku('A'))[0]).toMatchObject({ available: 13 });
    });

    it('the same key with a different request is IDEMPOTENCY_KEY_REUSED', async () => {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'A', 'paris', 10);
      await world.stockroom.reservations.reserve(
        { items: [{ sku: 'A', quantity: 2 }] },
        { idempotencyKey: 'k' },
      );
      await expect(
        world.stockroom.reservations.reserve(
          { items: [{ sku: 'A', quantity: 3 }] },
          { idempotencyKey: 'k' },
        ),
      ).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
      await expect(
        world.stockroom.adjustments.adjust(
          { sku: 'A', warehouseId: 'paris', type: 'RESTOCK', quantity: 1 },
          { idempotencyKey: 'k' },
        ),
      ).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
      expect((await world.store.reads.stockBySku('A'))[0]).toMatchObject({ available: 8 });
    });

    it('keys are scoped: the same key in two scopes is two commands', async () => {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'A', 'paris', 10);
      await world.stockroom.reservations.reserve(
        { items: [{ sku: 'A', quantity: 1 }] },
        { idempotencyKey: 'k', idempotencyScope: 'tenant-1' },
      );
      await world.stockroom.reservations.reserve(
        { items: [{ sku: 'A', quantity: 1 }] },
        { idempotencyKey: 'k', idempotencyScope: 'tenant-2' },
      );
      expect((await world.store.reads.stockBySku('A'))[0]).toMatchObject({ available: 8 });
    });

    it('concurrent calls with one key take effect once', async () => {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'A', 'paris', 10);
      const other = world.createStockroom();
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, index) =>
          (index % 2 ? other : world.stockroom).reservations.reserve(
            { items: [{ sku: 'A', quantity: 1 }] },
            { idempotencyKey: 'same' },
          ),
        ),
      );
      expect(new Set(results.map((reservation) => reservation.id)).size).toBe(1);
      expect((await world.store.reads.stockBySku('A'))[0]).toMatchObject({
        available: 9,
        reserved: 1,
      });
      const commits = await Promise.all(
        Array.from({ length: 4 }, () =>
          world.stockroom.reservations.commit(results[0]!.id, { idempotencyKey: 'c' }),
        ),
      );
      expect(commits.every((reservation) => reservation.status === 'COMMITTED')).toBe(true);
      const sales = (
        await readAll((page) => world.store.reads.movements({ sku: 'A' }, page))
      ).filter((movement) => movement.type === 'SALE');
      expect(sales).toHaveLength(1);
    });

    it('purges records older than the retention', async () => {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'A', 'paris', 10);
      await world.stockroom.reservations.reserve(
        { items: [{ sku: 'A', quantity: 1 }] },
        { idempotencyKey: 'old' },
      );
      world.clock.advance(25 * 3600_000);
      expect(await world.stockroom.purgeIdempotencyKeys()).toBe(1);
      await world.stockroom.reservations.reserve(
        { items: [{ sku: 'A', quantity: 1 }] },
        { idempotencyKey: 'old' },
      );
      expect((await world.store.reads.stockBySku('A'))[0]).toMatchObject({ available: 8 });
    });
  });
}
