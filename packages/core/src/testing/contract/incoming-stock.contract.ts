import { describe, expect, it } from 'vitest';
import type { StockStoreContractOptions } from '../define-stock-store-contract.js';
import {
  preorderMismatches,
  replayLedger,
  reservedMismatches,
  seedWarehouses,
  stock,
} from '../fixtures.js';
import { type ContractWorld, useContractWorld } from './harness.js';

const DAY = 24 * 60 * 60 * 1000;

/** Every invariant the preorder feature touches, at once. */
async function expectInvariants(world: ContractWorld): Promise<void> {
  expect(await replayLedger(world.store)).toEqual([]);
  expect(await reservedMismatches(world.store)).toEqual([]);
  expect(await preorderMismatches(world.stockroom)).toEqual([]);
}

/** Incoming stock (expected receipts) and the preorders reservations take from it. */
export function incomingStockContract(options: StockStoreContractOptions): void {
  describe(`${options.name}: incoming stock and preorders`, () => {
    const world = useContractWorld(options);

    const expected = (days: number) => new Date(world.clock.now().getTime() + days * DAY);
    const allowPreorder = (sku: string) =>
      world.stockroom.skuPolicies.set({ sku, allowPreorder: true });
    const row = async (sku: string, warehouseId: string) =>
      (await world.store.reads.stockBySku(sku)).find((item) => item.warehouseId === warehouseId);

    it('a preorder becomes a hold when its receipt is received, first reserved first served', async () => {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'PRE', 'paris', 3);
      await allowPreorder('PRE');
      const later = await world.stockroom.incoming.create({
        sku: 'PRE',
        warehouseId: 'paris',
        quantity: 10,
        expectedAt: expected(7),
        reference: 'PO-7',
      });
      const sooner = await world.stockroom.incoming.create({
        sku: 'PRE',
        warehouseId: 'london',
        quantity: 5,
        expectedAt: expected(3),
      });
      expect(sooner).toMatchObject({
        status: 'EXPECTED',
        quantity: 5,
        receivedQuantity: 0,
        preorderedQuantity: 0,
        reference: null,
        version: 1,
      });

      // 3 held in Paris, 2 promised from the receipt expected first (London).
      const first = await world.stockroom.reservations.reserve({
        items: [{ sku: 'PRE', quantity: 5 }],
      });
      expect(first.lines).toEqual([
        {
          sku: 'PRE',
          warehouseId: 'paris',
          quantity: 3,
          refunded: 0,
          preordered: 0,
          receiptId: null,
          expectedAt: null,
          committed: 0,
          released: 0,
          backordered: 0,
        },
        {
          sku: 'PRE',
          warehouseId: 'london',
          quantity: 2,
          refunded: 0,
          preordered: 2,
          receiptId: sooner.id,
          expectedAt: expected(3),
          committed: 0,
          released: 0,
          backordered: 0,
        },
      ]);
      // Nothing sellable left: 3 more from London, then 1 from Paris's later receipt.
      const second = await world.stockroom.reservations.reserve({
        items: [{ sku: 'PRE', quantity: 4 }],
      });
      expect(
        second.lines.map((line) => [line.warehouseId, line.quantity, line.preordered]),
      ).toEqual([
        ['london', 3, 3],
        ['paris', 1, 1],
      ]);
      expect(await world.stockroom.reservations.get(first.id)).toEqual(first);
      expect(await world.stockroom.incoming.get(sooner.id)).toMatchObject({
        preorderedQuantity: 5,
      });
      expect(await world.stockroom.incoming.get(later.id)).toMatchObject({ preorderedQuantity: 1 });
      expect(await row('PRE', 'paris')).toMatchObject({ available: 0, reserved: 3 });
      expect(await row('PRE', 'london')).toBeUndefined();
      await expectInvariants(world);

      // Units not received yet cannot be sold.
      await expect(world.stockroom.reservations.commit(first.id)).rejects.toMatchObject({
        code: 'INVALID_STATE',
        state: 'PREORDERED',
      });

      // 4 of London's 5 arrive: the first reservation's 2, then 2 of the second's 3.
      const partly = await world.stockroom.incoming.receive(sooner.id, { quantity: 4 });
      expect(partly).toMatchObject({
        status: 'PARTIALLY_RECEIVED',
        receivedQuantity: 4,
        preorderedQuantity: 1,
        receivedAt: world.clock.now(),
        // Created, promised twice (one step per reservation batch), received.
        version: 4,
      });
      expect(await row('PRE', 'london')).toMatchObject({ available: 0, reserved: 4 });
      expect(
        (await world.stockroom.reservations.get(first.id))?.lines.map((line) => line.preordered),
      ).toEqual([0, 0]);
      expect(
        (await world.stockroom.reservations.get(second.id))?.lines.map((line) => line.preordered),
      ).toEqual([1, 1]);
      await expectInvariants(world);
      const ledger = await world.stockroom.availability.movements({
        sku: 'PRE',
        warehouseId: 'london',
      });
      expect(
        ledger.items.map((movement) => [
          movement.type,
          movement.deltas.available,
          movement.reservationId,
        ]),
      ).toEqual([
        ['RESERVATION', -2, second.id],
        ['RESERVATION', -2, first.id],
        ['RESTOCK', 4, null],
      ]);

      expect(await world.stockroom.reservations.commit(first.id)).toMatchObject({
        status: 'COMMITTED',
      });
      // The last London unit completes the receipt.
      const done = await world.stockroom.incoming.receive(sooner.id);
      expect(done).toMatchObject({
        status: 'RECEIVED',
        receivedQuantity: 5,
        preorderedQuantity: 0,
      });
      expect(await world.stockroom.incoming.receive(sooner.id)).toEqual(done);
      expect(await row('PRE', 'london')).toMatchObject({ available: 0, reserved: 3 });
      await expectInvariants(world);

      await world.stockroom.relay!.drain();
      expect(world.publisher.ofType('inventory.receipt.created')).toHaveLength(2);
      expect(
        world.publisher
          .ofType('inventory.receipt.received')
          .map((event) => [
            event.data.receivedNow,
            event.data.allocatedToPreorders,
            event.data.status,
          ]),
      ).toEqual([
        [4, 4, 'PARTIALLY_RECEIVED'],
        [1, 1, 'RECEIVED'],
      ]);
      expect(
        world.publisher
          .ofType('inventory.preorder.allocated')
          .map((event) => [event.data.reservationId, event.data.allocated]),
      ).toEqual([
        [first.id, [{ sku: 'PRE', warehouseId: 'london', quantity: 2 }]],
        [second.id, [{ sku: 'PRE', warehouseId: 'london', quantity: 2 }]],
        [second.id, [{ sku: 'PRE', warehouseId: 'london', quantity: 1 }]],
      ]);
    });

    it('received units beyond the preorders become available; over-receiving is refused', async () => {
      await seedWarehouses(world.stockroom);
      await allowPreorder('EXTRA');
      const receipt = await world.stockroom.incoming.create({
        sku: 'EXTRA',
        warehouseId: 'berlin',
        quantity: 6,
        expectedAt: expected(1),
      });
      const hold = await world.stockroom.reservations.reserve({
        items: [{ sku: 'EXTRA', quantity: 2 }],
      });
      expect(hold.lines).toMatchObject([{ warehouseId: 'berlin', quantity: 2, preordered: 2 }]);
      await expect(
        world.stockroom.incoming.receive(receipt.id, { quantity: 7 }),
      ).rejects.toMatchObject({ code: 'INVALID_STATE' });
      await world.stockroom.incoming.receive(receipt.id, { quantity: 5 });
      expect(await row('EXTRA', 'berlin')).toMatchObject({ available: 3, reserved: 2 });
      // The 3 available units are sold as ordinary stock; the last expected unit is still free.
      const plain = await world.stockroom.reservations.reserve({
        items: [{ sku: 'EXTRA', quantity: 4 }],
      });
      expect(plain.lines.map((line) => [line.quantity, line.preordered])).toEqual([
        [3, 0],
        [1, 1],
      ]);
      await expect(
        world.stockroom.reservations.reserve({ items: [{ sku: 'EXTRA', quantity: 1 }] }),
      ).rejects.toMatchObject({
        code: 'INSUFFICIENT_STOCK',
        shortfalls: [{ sku: 'EXTRA', requested: 1, available: 0 }],
      });
      await expectInvariants(world);
    });

    it('without allowPreorder, or past what receipts still expect, a reservation is refused as before', async () => {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'PLAIN', 'paris', 1);
      await world.stockroom.incoming.create({
        sku: 'PLAIN',
        warehouseId: 'paris',
        quantity: 10,
        expectedAt: expected(2),
      });
      await expect(
        world.stockroom.reservations.reserve({ items: [{ sku: 'PLAIN', quantity: 2 }] }),
      ).rejects.toMatchObject({ code: 'INSUFFICIENT_STOCK' });
      await allowPreorder('PLAIN');
      await expect(
        world.stockroom.reservations.reserve({ items: [{ sku: 'PLAIN', quantity: 12 }] }),
      ).rejects.toMatchObject({
        code: 'INSUFFICIENT_STOCK',
        shortfalls: [{ sku: 'PLAIN', requested: 12, available: 1 }],
      });
      // A pinned item preorders only from its own warehouse's receipts.
      await expect(
        world.stockroom.reservations.reserve({
          items: [{ sku: 'PLAIN', quantity: 2, warehouseId: 'london' }],
        }),
      ).rejects.toMatchObject({ code: 'INSUFFICIENT_STOCK' });
      const pinned = await world.stockroom.reservations.reserve({
        items: [{ sku: 'PLAIN', quantity: 3, warehouseId: 'paris' }],
      });
      expect(
        pinned.lines.map((line) => [line.warehouseId, line.quantity, line.preordered]),
      ).toEqual([
        ['paris', 1, 0],
        ['paris', 2, 2],
      ]);
      expect((await world.stockroom.incoming.list({ sku: 'PLAIN' })).items).toMatchObject([
        { preorderedQuantity: 2 },
      ]);
      await expectInvariants(world);
    });

    it('release and expiry free the promise; cancelling is refused while units are preordered', async () => {
      await seedWarehouses(world.stockroom);
      await allowPreorder('SOON');
      const receipt = await world.stockroom.incoming.create({
        sku: 'SOON',
        warehouseId: 'paris',
        quantity: 4,
        expectedAt: expected(5),
      });
      const released = await world.stockroom.reservations.reserve({
        items: [{ sku: 'SOON', quantity: 1 }],
      });
      const expiring = await world.stockroom.reservations.reserve({
        items: [{ sku: 'SOON', quantity: 2 }],
        ttlSeconds: 60,
      });
      expect(await world.stockroom.incoming.get(receipt.id)).toMatchObject({
        preorderedQuantity: 3,
      });
      await expect(world.stockroom.incoming.cancel(receipt.id)).rejects.toMatchObject({
        code: 'INVALID_STATE',
        state: 'PREORDERED',
      });

      expect(await world.stockroom.reservations.release(released.id)).toMatchObject({
        status: 'RELEASED',
      });
      expect(await world.stockroom.incoming.get(receipt.id)).toMatchObject({
        preorderedQuantity: 2,
      });
      world.clock.advance(61_000);
      expect(await world.stockroom.reservations.expireDue()).toBe(1);
      expect(await world.stockroom.reservations.get(expiring.id)).toMatchObject({
        status: 'EXPIRED',
      });
      expect(await world.stockroom.incoming.get(receipt.id)).toMatchObject({
        preorderedQuantity: 0,
      });
      await expectInvariants(world);

      const cancelled = await world.stockroom.incoming.cancel(receipt.id);
      expect(cancelled).toMatchObject({ status: 'CANCELLED', cancelledAt: world.clock.now() });
      expect(await world.stockroom.incoming.cancel(receipt.id)).toEqual(cancelled);
      await expect(world.stockroom.incoming.receive(receipt.id)).rejects.toMatchObject({
        code: 'INVALID_STATE',
        state: 'CANCELLED',
      });
      await expect(
        world.stockroom.reservations.reserve({ items: [{ sku: 'SOON', quantity: 1 }] }),
      ).rejects.toMatchObject({ code: 'INSUFFICIENT_STOCK' });
      await world.stockroom.relay!.drain();
      expect(world.publisher.ofType('inventory.receipt.cancelled')).toHaveLength(1);
      expect((await world.store.reads.stockBySku('SOON')).length).toBe(0);
    });

    it('checks say what would be preordered and when it is expected', async () => {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'CHK', 'paris', 2);
      await allowPreorder('CHK');
      const receipt = await world.stockroom.incoming.create({
        sku: 'CHK',
        warehouseId: 'london',
        quantity: 5,
        expectedAt: expected(4),
      });
      expect(
        await world.stockroom.availability.check({ sku: 'CHK', quantity: 2 }),
      ).not.toHaveProperty('preorder');
      expect(await world.stockroom.availability.check({ sku: 'CHK', quantity: 6 })).toMatchObject({
        isAvailable: false,
        availableQuantity: 2,
        preorder: { quantity: 4, expectedAt: expected(4) },
      });
      expect(
        await world.stockroom.availability.check({ sku: 'CHK', quantity: 8 }),
      ).not.toHaveProperty('preorder');
      const cart = await world.stockroom.carts.check({ items: [{ sku: 'CHK', quantity: 6 }] });
      expect(cart).toMatchObject({
        isAvailable: true,
        allocations: [{ sku: 'CHK', warehouseId: 'paris', quantity: 2 }],
        shortfalls: [],
        preorders: [
          {
            sku: 'CHK',
            warehouseId: 'london',
            quantity: 4,
            receiptId: receipt.id,
            expectedAt: expected(4),
          },
        ],
      });
      expect(cart.lines[0]).toMatchObject({ isAvailable: true, preorders: cart.preorders });
      // The check answers exactly what a reservation then takes.
      const hold = await world.stockroom.reservations.reserve({
        items: [{ sku: 'CHK', quantity: 6 }],
      });
      expect(hold.lines.filter((line) => line.preordered > 0)).toMatchObject(cart.preorders);
      await expectInvariants(world);
    });

    it('concurrent preorders never promise more than a receipt still expects', async () => {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'RUSH', 'paris', 4);
      await allowPreorder('RUSH');
      const receipt = await world.stockroom.incoming.create({
        sku: 'RUSH',
        warehouseId: 'paris',
        quantity: 6,
        expectedAt: expected(2),
      });
      const other = world.createStockroom();
      const results = await Promise.allSettled(
        Array.from({ length: 16 }, (_, index) =>
          (index % 2 === 0 ? world.stockroom : other).reservations.reserve({
            items: [{ sku: 'RUSH', quantity: 1 }],
            ttlSeconds: 600,
          }),
        ),
      );
      const admitted = results.filter((result) => result.status === 'fulfilled');
      const refused = results.filter((result) => result.status === 'rejected');
      expect(admitted).toHaveLength(10);
      for (const result of refused) {
        expect((result as PromiseRejectedResult).reason).toMatchObject({
          code: 'INSUFFICIENT_STOCK',
        });
      }
      const preordered = admitted.filter(
        (result) => result.status === 'fulfilled' && result.value.lines[0]!.preordered === 1,
      );
      expect(preordered).toHaveLength(6);
      expect(await world.stockroom.incoming.get(receipt.id)).toMatchObject({
        preorderedQuantity: 6,
      });
      expect(await row('RUSH', 'paris')).toMatchObject({ available: 0, reserved: 4 });
      await expectInvariants(world);
    });

    it('validates requests, lists receipts newest first with filters and paging, replays keyed commands', async () => {
      await seedWarehouses(world.stockroom);
      await expect(
        world.stockroom.incoming.create({
          sku: 'L',
          warehouseId: 'paris',
          quantity: 0,
          expectedAt: expected(1),
        }),
      ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
      await expect(
        world.stockroom.incoming.create({
          sku: 'L',
          warehouseId: 'paris',
          quantity: 1,
          expectedAt: new Date('nope'),
        }),
      ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
      await expect(
        world.stockroom.incoming.create({
          sku: 'L',
          warehouseId: 'nowhere',
          quantity: 1,
          expectedAt: expected(1),
        }),
      ).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(world.stockroom.incoming.receive('rcp-missing')).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      expect(await world.stockroom.incoming.get('rcp-missing')).toBeNull();

      const request = { sku: 'L', warehouseId: 'paris', quantity: 3, expectedAt: expected(1) };
      const keyed = await world.stockroom.incoming.create(request, { idempotencyKey: 'po-1' });
      expect(await world.stockroom.incoming.create(request, { idempotencyKey: 'po-1' })).toEqual(
        keyed,
      );
      await expect(
        world.stockroom.incoming.create({ ...request, quantity: 4 }, { idempotencyKey: 'po-1' }),
      ).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
      const second = await world.stockroom.incoming.create({ ...request, warehouseId: 'london' });
      const third = await world.stockroom.incoming.create({ ...request, sku: 'M' });
      await world.stockroom.incoming.receive(keyed.id, {}, { idempotencyKey: 'in-1' });
      await world.stockroom.incoming.receive(keyed.id, {}, { idempotencyKey: 'in-1' });
      expect(await row('L', 'paris')).toMatchObject({ available: 3, version: 1 });

      const firstPage = await world.stockroom.incoming.list({}, { limit: 2 });
      expect(firstPage.items.map((item) => item.id)).toEqual([third.id, second.id]);
      const secondPage = await world.stockroom.incoming.list(
        {},
        { limit: 2, cursor: firstPage.nextCursor },
      );
      expect(secondPage).toEqual({
        items: [await world.stockroom.incoming.get(keyed.id)],
        nextCursor: null,
      });
      expect(
        (await world.stockroom.incoming.list({ sku: 'L', status: 'EXPECTED' })).items.map(
          (item) => item.id,
        ),
      ).toEqual([second.id]);
      expect(
        (await world.stockroom.incoming.list({ warehouseId: 'paris' })).items.map(
          (item) => item.id,
        ),
      ).toEqual([third.id, keyed.id]);
      await expect(
        world.stockroom.incoming.list({}, { cursor: 'not-a-cursor' }),
      ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
      await expectInvariants(world);
    });

    it('a check asked for preorderable units says what the open receipts may still promise, available or not', async () => {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'PRE', 'paris', 2);
      await stock(world.stockroom, 'PLAIN', 'paris', 2);
      await allowPreorder('PRE');
      const sooner = expected(3);
      await world.stockroom.incoming.create({
        sku: 'PRE',
        warehouseId: 'london',
        quantity: 5,
        expectedAt: sooner,
      });
      await world.stockroom.incoming.create({
        sku: 'PRE',
        warehouseId: 'paris',
        quantity: 10,
        expectedAt: expected(7),
      });
      await world.stockroom.incoming.create({
        sku: 'PLAIN',
        warehouseId: 'paris',
        quantity: 10,
        expectedAt: sooner,
      });
      // 2 held in Paris, 2 promised from London's receipt (expected first).
      await world.stockroom.reservations.reserve({ items: [{ sku: 'PRE', quantity: 4 }] });

      const asked = { sku: 'PRE', quantity: 1, includePreorderable: true } as const;
      const unavailable = await world.stockroom.availability.check(asked);
      expect(unavailable).toMatchObject({
        isAvailable: false,
        availableQuantity: 0,
        preorder: { quantity: 1, expectedAt: sooner },
        preorderable: { quantity: 13, earliestExpectedAt: sooner },
      });
      await stock(world.stockroom, 'PRE', 'berlin', 6);
      const available = await world.stockroom.availability.check(asked);
      expect(available).toMatchObject({
        isAvailable: true,
        availableQuantity: 6,
        preorderable: { quantity: 13, earliestExpectedAt: sooner },
      });
      expect(available.preorder).toBeUndefined();
      // Not asked, or preorders not allowed: no field.
      expect(
        (await world.stockroom.availability.check({ sku: 'PRE', quantity: 1 })).preorderable,
      ).toBeUndefined();
      expect(
        (
          await world.stockroom.availability.check({
            sku: 'PLAIN',
            quantity: 1,
            includePreorderable: true,
          })
        ).preorderable,
      ).toBeUndefined();
      // Once London's receipt is all promised, the earliest date is Paris's.
      const later = await world.stockroom.reservations.reserve({
        items: [{ sku: 'PRE', quantity: 9 }],
      });
      expect(later.lines.map((line) => [line.warehouseId, line.quantity, line.preordered])).toEqual(
        [
          ['berlin', 6, 0],
          ['london', 3, 3],
        ],
      );
      expect(await world.stockroom.availability.check(asked)).toMatchObject({
        isAvailable: false,
        preorderable: { quantity: 10, earliestExpectedAt: expected(7) },
      });
      await expectInvariants(world);
    });
  });
}
