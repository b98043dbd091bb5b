import { describe, expect, it } from 'vitest';
import type { Movement } from '../../domain/movement.js';
import type { StockStoreContractOptions } from '../define-stock-store-contract.js';
import { readAll, replayLedger, reservedMismatches, seedWarehouses, stock } from '../fixtures.js';
import { type ContractWorld, useContractWorld } from './harness.js';

/** Every movement of a reservation, oldest first, as `TYPE sku@warehouse ±units`. */
async function movementsOf(world: ContractWorld, reservationId: string): Promise<string[]> {
  const all = await readAll<Movement>((page) => world.store.reads.movements({}, page));
  return all
    .filter((movement) => movement.reservationId === reservationId)
    .reverse()
    .map(
      (movement) =>
        `${movement.type} ${movement.sku}@${movement.warehouseId} ${movement.deltas.available}/${movement.deltas.reserved}`,
    );
}

/** `available/reserved/total` of a row. */
async function row(world: ContractWorld, sku: string, warehouseId: string): Promise<string> {
  const found = (await world.store.reads.stockBySku(sku)).find(
    (item) => item.warehouseId === warehouseId,
  );
  return found ? `${found.available}/${found.reserved}/${found.total}` : 'none';
}

async function invariantsHold(world: ContractWorld): Promise<void> {
  expect(await reservedMismatches(world.store)).toEqual([]);
  expect(await replayLedger(world.store)).toEqual([]);
}

/** Changing a hold's lines, and committing or releasing parts of it (issue 17, items 2 and 3). */
export function holdChangesContract(options: StockStoreContractOptions): void {
  describe(`${options.name}: changing a hold`, () => {
    const world = useContractWorld(options);

    it('keeps the units still wanted, releases the rest and takes the extra units', async () => {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'A', 'paris', 5);
      await stock(world.stockroom, 'B', 'paris', 5);
      await stock(world.stockroom, 'C', 'paris', 4);
      const hold = await world.stockroom.reservations.reserve({
        items: [
          { sku: 'A', quantity: 3, warehouseId: 'paris' },
          { sku: 'B', quantity: 2, warehouseId: 'paris' },
        ],
      });
      const changed = await world.stockroom.reservations.change(hold.id, {
        items: [
          { sku: 'A', quantity: 2 },
          { sku: 'C', quantity: 3 },
        ],
      });
      expect(changed).toMatchObject({ id: hold.id, status: 'ACTIVE', version: 2 });
      expect(changed.lines).toEqual([
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
        {
          sku: 'C',
          warehouseId: 'paris',
          quantity: 3,
          refunded: 0,
          committed: 0,
          released: 0,
          preordered: 0,
          receiptId: null,
          expectedAt: null,
          backordered: 0,
        },
      ]);
      expect(await world.stockroom.reservations.get(hold.id)).toEqual(changed);
      expect(await row(world, 'A', 'paris')).toBe('3/2/5');
      expect(await row(world, 'B', 'paris')).toBe('5/0/5');
      expect(await row(world, 'C', 'paris')).toBe('1/3/4');
      expect(await movementsOf(world, hold.id)).toEqual([
        'RESERVATION A@paris -3/3',
        'RESERVATION B@paris -2/2',
        'RELEASE A@paris 1/-1',
        'RELEASE B@paris 2/-2',
        'RESERVATION C@paris -3/3',
      ]);
      await world.stockroom.relay!.drain();
      const events = world.publisher.ofType('inventory.reservation.changed');
      expect(events).toHaveLength(1);
      expect(events[0]!.data).toMatchObject({
        reservationId: hold.id,
        released: [
          { sku: 'A', warehouseId: 'paris', quantity: 1, type: 'RELEASE' },
          { sku: 'B', warehouseId: 'paris', quantity: 2, type: 'RELEASE' },
        ],
        reserved: [{ sku: 'C', warehouseId: 'paris', quantity: 3, type: 'RESERVATION' }],
      });
      await invariantsHold(world);
      // The changed hold commits its new lines.
      const committed = await world.stockroom.reservations.commit(hold.id);
      expect(committed.status).toBe('COMMITTED');
      expect(await row(world, 'A', 'paris')).toBe('3/0/3');
      expect(await row(world, 'C', 'paris')).toBe('1/0/1');
      await invariantsHold(world);
    });

    it('takes extra units all-or-nothing: a short item changes nothing', async () => {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'A', 'paris', 5);
      await stock(world.stockroom, 'C', 'paris', 4);
      const hold = await world.stockroom.reservations.reserve({
        items: [{ sku: 'A', quantity: 3 }],
      });
      await expect(
        world.stockroom.reservations.change(hold.id, {
          items: [
            { sku: 'A', quantity: 1 },
            { sku: 'C', quantity: 5 },
          ],
        }),
      ).rejects.toMatchObject({
        code: 'INSUFFICIENT_STOCK',
        shortfalls: [{ sku: 'C', requested: 5, available: 4 }],
      });
      expect(await world.stockroom.reservations.get(hold.id)).toEqual(hold);
      expect(await row(world, 'A', 'paris')).toBe('2/3/5');
      expect(await row(world, 'C', 'paris')).toBe('4/0/4');
      expect(await movementsOf(world, hold.id)).toEqual(['RESERVATION A@paris -3/3']);
      await invariantsHold(world);
    });

    it('never releases a kept unit: a sold-out SKU stays held while another line grows', async () => {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'A', 'paris', 2);
      await stock(world.stockroom, 'B', 'london', 3);
      const hold = await world.stockroom.reservations.reserve({
        items: [{ sku: 'A', quantity: 2 }],
      });
      const changed = await world.stockroom.reservations.change(hold.id, {
        items: [
          { sku: 'A', quantity: 2 },
          { sku: 'B', quantity: 3 },
        ],
      });
      expect(changed.lines.map((line) => [line.sku, line.warehouseId, line.quantity])).toEqual([
        ['A', 'paris', 2],
        ['B', 'london', 3],
      ]);
      expect(await movementsOf(world, hold.id)).toEqual([
        'RESERVATION A@paris -2/2',
        'RESERVATION B@london -3/3',
      ]);
      // A unit more of A than is held cannot be found: the hold keeps its 2.
      await expect(
        world.stockroom.reservations.change(hold.id, { items: [{ sku: 'A', quantity: 3 }] }),
      ).rejects.toMatchObject({ code: 'INSUFFICIENT_STOCK' });
      expect(await row(world, 'A', 'paris')).toBe('0/2/2');
      await invariantsHold(world);
    });

    it('moves a pinned item to another warehouse and applies cart limits to the new cart', async () => {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'A', 'paris', 5);
      await stock(world.stockroom, 'A', 'berlin', 5);
      const hold = await world.stockroom.reservations.reserve({
        items: [{ sku: 'A', quantity: 2, warehouseId: 'paris' }],
      });
      const moved = await world.stockroom.reservations.change(hold.id, {
        items: [{ sku: 'A', quantity: 2, warehouseId: 'berlin' }],
      });
      expect(moved.lines.map((line) => [line.warehouseId, line.quantity])).toEqual([['berlin', 2]]);
      expect(await row(world, 'A', 'paris')).toBe('5/0/5');
      expect(await row(world, 'A', 'berlin')).toBe('3/2/5');
      await world.stockroom.skuPolicies.set({ sku: 'A', maxPerCart: 3 });
      await expect(
        world.stockroom.reservations.change(hold.id, { items: [{ sku: 'A', quantity: 4 }] }),
      ).rejects.toMatchObject({ code: 'CART_LIMIT_EXCEEDED' });
      expect((await world.stockroom.reservations.get(hold.id))?.version).toBe(2);
      await invariantsHold(world);
    });

    it('is idempotent, compares the version when asked, and refuses final or expired holds', async () => {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'A', 'paris', 10);
      const hold = await world.stockroom.reservations.reserve({
        items: [{ sku: 'A', quantity: 2 }],
        ttlSeconds: 60,
      });
      const request = { items: [{ sku: 'A', quantity: 4 }] };
      const first = await world.stockroom.reservations.change(hold.id, request, {
        idempotencyKey: 'edit-1',
      });
      const again = await world.stockroom.reservations.change(hold.id, request, {
        idempotencyKey: 'edit-1',
      });
      expect(again).toEqual(first);
      expect(await row(world, 'A', 'paris')).toBe('6/4/10');
      await expect(
        world.stockroom.reservations.change(
          hold.id,
          { items: [{ sku: 'A', quantity: 5 }] },
          { idempotencyKey: 'edit-1' },
        ),
      ).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
      await expect(
        world.stockroom.reservations.change(hold.id, { ...request, expectedVersion: 1 }),
      ).rejects.toMatchObject({ code: 'VERSION_CONFLICT' });
      await expect(
        world.stockroom.reservations.change(hold.id, { items: [] }),
      ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
      await expect(world.stockroom.reservations.change('missing', request)).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      world.clock.advance(61_000);
      await expect(world.stockroom.reservations.change(hold.id, request)).rejects.toMatchObject({
        code: 'INVALID_STATE',
      });
      const other = await world.stockroom.reservations.reserve({
        items: [{ sku: 'A', quantity: 1 }],
      });
      await world.stockroom.reservations.commit(other.id);
      await expect(world.stockroom.reservations.change(other.id, request)).rejects.toMatchObject({
        code: 'INVALID_STATE',
      });
      await invariantsHold(world);
    });

    it('concurrent changes of one hold beside a competing buyer never lose a kept unit', async () => {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'A', 'paris', 10);
      await stock(world.stockroom, 'B', 'paris', 100);
      const hold = await world.stockroom.reservations.reserve({
        items: [{ sku: 'A', quantity: 5 }],
      });
      const other = world.createStockroom();
      const edits = Array.from({ length: 30 }, (_, index) =>
        world.stockroom.reservations.change(hold.id, {
          items: [
            { sku: 'A', quantity: 5 },
            { sku: 'B', quantity: (index % 3) + 1 },
          ],
        }),
      );
      const buyers = Array.from({ length: 30 }, () =>
        other.reservations.reserve({ items: [{ sku: 'A', quantity: 1 }] }).then(
          () => true,
          (error: { code?: string }) => {
            if (error.code !== 'INSUFFICIENT_STOCK') throw error;
            return false;
          },
        ),
      );
      const changed = await Promise.all(edits);
      const bought = (await Promise.all(buyers)).filter(Boolean).length;
      expect(changed).toHaveLength(30);
      expect(bought).toBe(5);
      const final = (await world.stockroom.reservations.get(hold.id))!;
      expect(final.version).toBe(31);
      const a = final.lines.find((line) => line.sku === 'A')!;
      expect(a.quantity).toBe(5);
      expect(await row(world, 'A', 'paris')).toBe('0/10/10');
      const b = final.lines.find((line) => line.sku === 'B')!.quantity;
      expect(await row(world, 'B', 'paris')).toBe(`${100 - b}/${b}/100`);
      const moves = await movementsOf(world, hold.id);
      expect(moves.filter((move) => move.includes(' A@'))).toEqual(['RESERVATION A@paris -5/5']);
      await invariantsHold(world);
    });
  });

  describe(`${options.name}: partial commit and release`, () => {
    const world = useContractWorld(options);

    it('commits and releases parts; the hold ends COMMITTED once nothing is held', async () => {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'A', 'paris', 5);
      await stock(world.stockroom, 'B', 'london', 5);
      const hold = await world.stockroom.reservations.reserve({
        orderId: 'order-1',
        items: [
          { sku: 'A', quantity: 3, warehouseId: 'paris' },
          { sku: 'B', quantity: 2, warehouseId: 'london' },
        ],
      });
      const first = await world.stockroom.reservations.commitPart(hold.id, {
        lines: [{ sku: 'A', quantity: 1 }],
      });
      expect(first).toMatchObject({ status: 'ACTIVE', version: 2, committedAt: null });
      expect(first.lines[0]).toMatchObject({ quantity: 3, committed: 1, released: 0 });
      expect(await row(world, 'A', 'paris')).toBe('2/2/4');
      const second = await world.stockroom.reservations.releasePart(hold.id, {
        lines: [{ sku: 'B', warehouseId: 'london', quantity: 2 }],
      });
      expect(second.status).toBe('ACTIVE');
      expect(second.lines[1]).toMatchObject({ quantity: 2, committed: 0, released: 2 });
      expect(await row(world, 'B', 'london')).toBe('5/0/5');
      await expect(
        world.stockroom.reservations.commitPart(hold.id, { lines: [{ sku: 'A', quantity: 3 }] }),
      ).rejects.toMatchObject({ code: 'INVALID_STATE' });
      await expect(
        world.stockroom.reservations.commitPart(hold.id, { lines: [{ sku: 'B', quantity: 1 }] }),
      ).rejects.toMatchObject({ code: 'INVALID_STATE' });
      const last = await world.stockroom.reservations.commitPart(hold.id, {
        lines: [{ sku: 'A', warehouseId: 'paris', quantity: 2 }],
      });
      expect(last).toMatchObject({ status: 'COMMITTED', version: 4 });
      expect(last.committedAt).not.toBeNull();
      expect(await row(world, 'A', 'paris')).toBe('2/0/2');
      expect(await movementsOf(world, hold.id)).toEqual([
        'RESERVATION A@paris -3/3',
        'RESERVATION B@london -2/2',
        'SALE A@paris 0/-1',
        'RELEASE B@london 2/-2',
        'SALE A@paris 0/-2',
      ]);
      await world.stockroom.relay!.drain();
      expect(
        world.publisher.ofType('inventory.committed').map((event) => event.data.parts),
      ).toEqual([
        [{ sku: 'A', warehouseId: 'paris', quantity: 1, type: 'SALE' }],
        [{ sku: 'A', warehouseId: 'paris', quantity: 2, type: 'SALE' }],
      ]);
      expect(world.publisher.ofType('inventory.released')).toHaveLength(1);
      await invariantsHold(world);
      // Refunds see the sold units of a partly committed hold: 3 of A, none of B.
      await expect(
        world.stockroom.orders.cancel('order-1', [
          { sku: 'B', warehouseId: 'london', quantity: 1 },
        ]),
      ).rejects.toMatchObject({ code: 'INVALID_STATE' });
      const cancelled = await world.stockroom.orders.cancel('order-1', undefined);
      expect(cancelled.refunded.map((movement) => movement.deltas.available)).toEqual([3]);
      expect(await row(world, 'A', 'paris')).toBe('5/0/5');
      await invariantsHold(world);
    });

    it('ends RELEASED when nothing was committed; a partly committed remainder ends COMMITTED', async () => {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'A', 'paris', 10);
      const released = await world.stockroom.reservations.reserve({
        items: [{ sku: 'A', quantity: 2 }],
      });
      await world.stockroom.reservations.releasePart(released.id, {
        lines: [{ sku: 'A', quantity: 1 }],
      });
      const gone = await world.stockroom.reservations.releasePart(released.id, {
        lines: [{ sku: 'A', quantity: 1 }],
      });
      expect(gone.status).toBe('RELEASED');
      expect(gone.releasedAt).not.toBeNull();

      const mixed = await world.stockroom.reservations.reserve({
        orderId: 'order-2',
        items: [{ sku: 'A', quantity: 4 }],
      });
      await world.stockroom.reservations.commitPart(mixed.id, {
        lines: [{ sku: 'A', quantity: 1 }],
      });
      const ended = await world.stockroom.reservations.release(mixed.id);
      expect(ended.status).toBe('COMMITTED');
      expect(ended.lines[0]).toMatchObject({ quantity: 4, committed: 1, released: 3 });
      expect(await row(world, 'A', 'paris')).toBe('9/0/9');
      const cancelled = await world.stockroom.orders.cancel('order-2', undefined);
      expect(cancelled.refunded.map((movement) => movement.deltas.available)).toEqual([1]);
      await invariantsHold(world);
    });

    it('expires the remainder of a partly committed hold; a cancel releases and refunds it', async () => {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'A', 'paris', 10);
      const hold = await world.stockroom.reservations.reserve({
        items: [{ sku: 'A', quantity: 3 }],
        ttlSeconds: 60,
      });
      await world.stockroom.reservations.commitPart(hold.id, {
        lines: [{ sku: 'A', quantity: 2 }],
      });
      world.clock.advance(61_000);
      await expect(
        world.stockroom.reservations.commitPart(hold.id, { lines: [{ sku: 'A', quantity: 1 }] }),
      ).rejects.toMatchObject({ code: 'INVALID_STATE' });
      expect(await world.stockroom.reservations.expireDue()).toBe(1);
      const expired = (await world.stockroom.reservations.get(hold.id))!;
      expect(expired.status).toBe('COMMITTED');
      expect(expired.lines[0]).toMatchObject({ committed: 2, released: 1 });
      expect(await row(world, 'A', 'paris')).toBe('8/0/8');
      expect((await movementsOf(world, hold.id)).at(-1)).toBe('EXPIRATION A@paris 1/-1');

      const order = await world.stockroom.reservations.reserve({
        orderId: 'order-3',
        items: [{ sku: 'A', quantity: 3 }],
      });
      await world.stockroom.reservations.commitPart(order.id, {
        lines: [{ sku: 'A', quantity: 1 }],
      });
      const cancelled = await world.stockroom.orders.cancel('order-3', undefined);
      expect(cancelled.released.map((item) => item.status)).toEqual(['COMMITTED']);
      expect(cancelled.refunded.map((movement) => movement.deltas.available)).toEqual([1]);
      expect(await row(world, 'A', 'paris')).toBe('8/0/8');
      await invariantsHold(world);
    });

    it('replays a keyed part and refuses the key for another part', async () => {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'A', 'paris', 10);
      const hold = await world.stockroom.reservations.reserve({
        items: [{ sku: 'A', quantity: 4 }],
      });
      const request = { lines: [{ sku: 'A', quantity: 1 }] };
      const first = await world.stockroom.reservations.commitPart(hold.id, request, {
        idempotencyKey: 'ship-1',
      });
      const again = await world.stockroom.reservations.commitPart(hold.id, request, {
        idempotencyKey: 'ship-1',
      });
      expect(again).toEqual(first);
      expect(await row(world, 'A', 'paris')).toBe('6/3/9');
      await expect(
        world.stockroom.reservations.commitPart(
          hold.id,
          { lines: [{ sku: 'A', quantity: 2 }] },
          { idempotencyKey: 'ship-1' },
        ),
      ).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
      await expect(
        world.stockroom.reservations.releasePart(hold.id, { lines: [] }),
      ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
      await invariantsHold(world);
    });
  });
}
