import { describe, expect, it } from 'vitest';
import type { StockStoreContractOptions } from '../define-stock-store-contract.js';
import { readAll, replayLedger, reservedMismatches, seedWarehouses, stock } from '../fixtures.js';
import { useContractWorld } from './harness.js';

/** Reserve, commit, release, extend, expire, batching: invariants 1, 2 and 5. */
export function reservationContract(options: StockStoreContractOptions): void {
  describe(`${options.name}: reservations`, () => {
    const world = useContractWorld(options);

    const movementsOf = async (sku: string) =>
      readAll((page) => world.store.reads.movements({ sku }, page));

    it('holds stock: available → reserved, one RESERVATION movement, ACTIVE with a 10-minute TTL', async () => {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'SKU-1', 'paris', 10);
      const reservation = await world.stockroom.reservations.reserve(
        { items: [{ sku: 'SKU-1', quantity: 3 }], orderId: 'order-1', userId: 'user-1' },
        { actor: 'checkout', reason: 'cart' },
      );
      expect(reservation).toMatchObject({
        status: 'ACTIVE',
        orderId: 'order-1',
        userId: 'user-1',
        lines: [{ sku: 'SKU-1', warehouseId: 'paris', quantity: 3 }],
      });
      expect(reservation.expiresAt.getTime() - reservation.createdAt.getTime()).toBe(600_000);
      const row = (await world.store.reads.stockBySku('SKU-1'))[0]!;
      expect(row).toMatchObject({ available: 7, reserved: 3, total: 10, version: 2 });
      const movements = await movementsOf('SKU-1');
      expect(movements.map((movement) => movement.type)).toEqual(['RESERVATION', 'RESTOCK']);
      expect(movements[0]).toMatchObject({
        reservationId: reservation.id,
        orderId: 'order-1',
        actor: 'checkout',
        reason: 'cart',
        deltas: { available: -3, reserved: 3, damaged: 0, inTransit: 0 },
        after: { available: 7, reserved: 3, damaged: 0, inTransit: 0 },
      });
      expect(await world.stockroom.reservations.get(reservation.id)).toMatchObject({
        id: reservation.id,
        status: 'ACTIVE',
      });
    });

    it('200 concurrent single-unit reservations against 50 available: exactly 50 succeed', async () => {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'HOT', 'paris', 50);
      const results = await Promise.allSettled(
        Array.from({ length: 200 }, (_, index) =>
          world.stockroom.reservations.reserve({
            items: [{ sku: 'HOT', quantity: 1 }],
            userId: `u${index}`,
          }),
        ),
      );
      const fulfilled = results.filter((result) => result.status === 'fulfilled');
      const rejected = results.filter(
        (result): result is PromiseRejectedResult => result.status === 'rejected',
      );
      expect(fulfilled).toHaveLength(50);
      expect(rejected).toHaveLength(150);
      for (const result of rejected)
        expect(result.reason).toMatchObject({ code: 'INSUFFICIENT_STOCK' });
      expect((await world.store.reads.stockBySku('HOT'))[0]).toMatchObject({
        available: 0,
        reserved: 50,
      });
      expect(await replayLedger(world.store)).toEqual([]);
      expect(await reservedMismatches(world.store)).toEqual([]);
    });

    it('two stockroom instances over one store never oversell', async () => {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'HOT', 'paris', 30);
      const other = world.createStockroom();
      const results = await Promise.allSettled(
        Array.from({ length: 80 }, (_, index) =>
          (index % 2 === 0 ? world.stockroom : other).reservations.reserve({
            items: [{ sku: 'HOT', quantity: 1 }],
          }),
        ),
      );
      expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(30);
      expect((await world.store.reads.stockBySku('HOT'))[0]).toMatchObject({
        available: 0,
        reserved: 30,
      });
      expect(await replayLedger(world.store)).toEqual([]);
    });

    it('a multi-line reservation where one line is short holds nothing', async () => {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'A', 'paris', 5);
      await stock(world.stockroom, 'B', 'paris', 1);
      await expect(
        world.stockroom.reservations.reserve({
          items: [
            { sku: 'A', quantity: 2 },
            { sku: 'B', quantity: 2 },
          ],
        }),
      ).rejects.toMatchObject({
        code: 'INSUFFICIENT_STOCK',
        shortfalls: [{ sku: 'B', requested: 2, available: 1 }],
      });
      expect((await world.store.reads.stockBySku('A'))[0]).toMatchObject({
        available: 5,
        reserved: 0,
        version: 1,
      });
      expect((await world.store.reads.stockBySku('B'))[0]).toMatchObject({
        available: 1,
        reserved: 0,
        version: 1,
      });
      expect((await movementsOf('A')).map((movement) => movement.type)).toEqual(['RESTOCK']);
      expect(await world.store.reads.activeHolds()).toEqual([]);
    });

    it('two lines of the same SKU that together exceed stock hold nothing', async () => {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'A', 'paris', 5);
      await expect(
        world.stockroom.reservations.reserve({
          items: [
            { sku: 'A', quantity: 3 },
            { sku: 'A', quantity: 3 },
          ],
        }),
      ).rejects.toMatchObject({
        code: 'INSUFFICIENT_STOCK',
        shortfalls: [{ sku: 'A', requested: 6, available: 5 }],
      });
      expect((await world.store.reads.stockBySku('A'))[0]).toMatchObject({
        available: 5,
        reserved: 0,
      });
    });

    it('splits one order over the nearest warehouses as ONE reservation', async () => {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'A', 'paris', 2);
      await stock(world.stockroom, 'A', 'london', 5);
      await stock(world.stockroom, 'A', 'berlin', 5);
      const reservation = await world.stockroom.reservations.reserve({
        items: [{ sku: 'A', quantity: 4 }],
        location: { latitude: 48.9, longitude: 2.4 },
        strategy: 'nearest',
      });
      expect(reservation.lines).toEqual([
        {
          sku: 'A',
          warehouseId: 'london',
          quantity: 2,
          refunded: 0,
          committed: 0,
          released: 0,
          preordered: 0,
          receiptId: null,
          expectedAt: null,
          backordered: 0,
        },
        {
          sku: 'A',
          warehouseId: 'paris',
          quantity: 2,
          refunded: 0,
          committed: 0,
          released: 0,
          preordered: 0,
          receiptId: null,
          expectedAt: null,
          backordered: 0,
        },
      ]);
    });

    it('never allocates from an INACTIVE or MAINTENANCE warehouse', async () => {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'A', 'paris', 5);
      await stock(world.stockroom, 'A', 'london', 5);
      await world.stockroom.warehouses.update('paris', { status: 'MAINTENANCE' });
      await world.stockroom.warehouses.update('london', { status: 'INACTIVE' });
      await expect(
        world.stockroom.reservations.reserve({ items: [{ sku: 'A', quantity: 1 }] }),
      ).rejects.toMatchObject({
        code: 'INSUFFICIENT_STOCK',
      });
    });

    it('a batch admits exactly the requests that fit, in arrival order, and leaves no trace of the others', async () => {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'A', 'paris', 5);
      const quantities = [3, 3, 2, 1, 1];
      const results = await Promise.allSettled(
        quantities.map((quantity, index) =>
          world.stockroom.reservations.reserve({
            items: [{ sku: 'A', quantity }],
            orderId: `o${index}`,
          }),
        ),
      );
      expect(results.map((result) => result.status)).toEqual([
        'fulfilled',
        'rejected',
        'fulfilled',
        'rejected',
        'rejected',
      ]);
      const reservationMovements = (await movementsOf('A')).filter(
        (movement) => movement.type === 'RESERVATION',
      );
      expect(reservationMovements.map((movement) => movement.orderId).sort()).toEqual(['o0', 'o2']);
      expect((await world.store.reads.stockBySku('A'))[0]).toMatchObject({
        available: 0,
        reserved: 5,
        version: 3,
      });
      expect(world.stockroom.stats.reservations).toMatchObject({ admitted: 2, refused: 3 });
      expect(await replayLedger(world.store)).toEqual([]);
    });

    it('commit sells the held units (SALE per line); committing again returns it unchanged', async () => {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'A', 'paris', 5);
      const hold = await world.stockroom.reservations.reserve({
        items: [{ sku: 'A', quantity: 2 }],
      });
      world.clock.advance(1000);
      const committed = await world.stockroom.reservations.commit(hold.id);
      expect(committed).toMatchObject({ status: 'COMMITTED', committedAt: world.clock.now() });
      expect((await world.store.reads.stockBySku('A'))[0]).toMatchObject({
        available: 3,
        reserved: 0,
        total: 3,
        lastSoldAt: world.clock.now(),
      });
      const again = await world.stockroom.reservations.commit(hold.id);
      expect(again).toMatchObject({ status: 'COMMITTED', version: committed.version });
      await expect(world.stockroom.reservations.release(hold.id)).rejects.toMatchObject({
        code: 'INVALID_STATE',
      });
      expect((await movementsOf('A')).map((movement) => movement.type)).toEqual([
        'SALE',
        'RESERVATION',
        'RESTOCK',
      ]);
      expect(await replayLedger(world.store)).toEqual([]);
    });

    it('release returns the units; releasing again is a no-op; commit after release is INVALID_STATE', async () => {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'A', 'paris', 5);
      const hold = await world.stockroom.reservations.reserve({
        items: [{ sku: 'A', quantity: 2 }],
      });
      const released = await world.stockroom.reservations.release(hold.id);
      expect(released.status).toBe('RELEASED');
      expect((await world.stockroom.reservations.release(hold.id)).version).toBe(released.version);
      await expect(world.stockroom.reservations.commit(hold.id)).rejects.toMatchObject({
        code: 'INVALID_STATE',
      });
      expect((await world.store.reads.stockBySku('A'))[0]).toMatchObject({
        available: 5,
        reserved: 0,
      });
      await expect(world.stockroom.reservations.commit('res_missing')).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
    });

    it('expiry is driven by the clock: commit past expiresAt fails, expireDue frees the units once', async () => {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'A', 'paris', 5);
      const hold = await world.stockroom.reservations.reserve({
        items: [{ sku: 'A', quantity: 2 }],
        ttlSeconds: 60,
      });
      world.clock.advance(59_000);
      expect(await world.stockroom.reservations.expireDue()).toBe(0);
      world.clock.advance(1_000);
      await expect(world.stockroom.reservations.commit(hold.id)).rejects.toMatchObject({
        code: 'INVALID_STATE',
      });
      expect(await world.stockroom.reservations.expireDue()).toBe(1);
      expect(await world.stockroom.reservations.expireDue()).toBe(0);
      expect(await world.stockroom.reservations.get(hold.id)).toMatchObject({ status: 'EXPIRED' });
      expect((await world.store.reads.stockBySku('A'))[0]).toMatchObject({
        available: 5,
        reserved: 0,
      });
      expect((await movementsOf('A'))[0]).toMatchObject({
        type: 'EXPIRATION',
        reservationId: hold.id,
      });
    });

    it('expireDue works in bounded batches, oldest first', async () => {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'A', 'paris', 30);
      for (let index = 0; index < 25; index += 1) {
        await world.stockroom.reservations.reserve({
          items: [{ sku: 'A', quantity: 1 }],
          ttlSeconds: 10 + index,
        });
      }
      world.clock.advance(3600_000);
      expect(await world.stockroom.reservations.expireDue({ limit: 10 })).toBe(10);
      expect(await world.stockroom.reservations.expireDue({ limit: 10 })).toBe(10);
      expect(await world.stockroom.reservations.expireDue({ limit: 10 })).toBe(5);
      expect((await world.store.reads.stockBySku('A'))[0]).toMatchObject({
        available: 30,
        reserved: 0,
      });
      expect(await reservedMismatches(world.store)).toEqual([]);
    });

    it('two sweepers racing expire each reservation exactly once', async () => {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'A', 'paris', 100);
      await Promise.all(
        Array.from({ length: 60 }, () =>
          world.stockroom.reservations.reserve({
            items: [{ sku: 'A', quantity: 1 }],
            ttlSeconds: 5,
          }),
        ),
      );
      world.clock.advance(10_000);
      const other = world.createStockroom();
      const sweep = async (stockroom: typeof other) => {
        let total = 0;
        for (;;) {
          const count = await stockroom.reservations.expireDue({ limit: 7 });
          if (count === 0) return total;
          total += count;
        }
      };
      const [first, second] = await Promise.all([sweep(world.stockroom), sweep(other)]);
      expect(first + second).toBe(60);
      const expirations = (await movementsOf('A')).filter(
        (movement) => movement.type === 'EXPIRATION',
      );
      expect(expirations).toHaveLength(60);
      expect(new Set(expirations.map((movement) => movement.reservationId)).size).toBe(60);
      expect((await world.store.reads.stockBySku('A'))[0]).toMatchObject({
        available: 100,
        reserved: 0,
      });
    });

    it('extend moves expiresAt within the maximum lifetime and refuses beyond it', async () => {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'A', 'paris', 5);
      const hold = await world.stockroom.reservations.reserve({
        items: [{ sku: 'A', quantity: 1 }],
      });
      const extended = await world.stockroom.reservations.extend(hold.id, 600);
      expect(extended.expiresAt.getTime()).toBe(hold.expiresAt.getTime() + 600_000);
      await expect(world.stockroom.reservations.extend(hold.id, 3600)).rejects.toMatchObject({
        code: 'INVALID_STATE',
      });
      world.clock.advance(1_200_001);
      await expect(world.stockroom.reservations.extend(hold.id, 10)).rejects.toMatchObject({
        code: 'INVALID_STATE',
      });
    });

    it('rejects malformed requests with VALIDATION_FAILED and changes nothing', async () => {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'A', 'paris', 5);
      const bad = [
        { items: [] },
        { items: [{ sku: 'A', quantity: 0 }] },
        { items: [{ sku: 'A', quantity: 1.5 }] },
        { items: [{ sku: 'A', quantity: -1 }] },
        { items: [{ sku: '', quantity: 1 }] },
        { items: [{ sku: 'A', quantity: 1 }], ttlSeconds: 0 },
        { items: [{ sku: 'A', quantity: 1 }], ttlSeconds: 999_999 },
      ];
      for (const request of bad) {
        await expect(world.stockroom.reservations.reserve(request as never)).rejects.toMatchObject({
          code: 'VALIDATION_FAILED',
        });
      }
      expect((await world.store.reads.stockBySku('A'))[0]).toMatchObject({
        available: 5,
        version: 1,
      });
    });
  });
}
