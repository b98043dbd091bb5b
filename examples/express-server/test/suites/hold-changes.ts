import { describe, expect, it } from 'vitest';
import type { TestServer } from '../support.js';
import { expectProblem, reserve, restock, rowOf } from './helpers.js';

/** Runs `count` tasks with at most `width` in flight at once; answers in task order. */
async function inFlight<T>(count: number, width: number, task: (index: number) => Promise<T>) {
  const results: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < count) {
        const index = next;
        next += 1;
        results[index] = await task(index);
      }
    }),
  );
  return results;
}

/** Every movement of a SKU, oldest first. */
async function movementsOf(server: TestServer, sku: string) {
  const items: Array<{ type: string; reservationId: string | null; warehouseId: string }> = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `?limit=500&cursor=${encodeURIComponent(cursor)}` : '?limit=500';
    const answer = await server.call('GET', `/api/v1/inventory/${sku}/movements${query}`, {
      as: 'readonly',
    });
    expect(answer.status, answer.text).toBe(200);
    items.push(...answer.body.items);
    cursor = answer.body.nextCursor;
  } while (cursor);
  return items.reverse();
}

/** Changing a hold (PUT lines) and partial commit/release over HTTP (issue 17, items 2 and 3). */
export function holdChangeTests(server: () => TestServer): void {
  describe('reservations: changing a hold and settling parts', () => {
    it('PUT lines keeps, releases and takes units; a short extra item changes nothing', async () => {
      await restock(server(), 'HC-A', 'paris', 5);
      await restock(server(), 'HC-B', 'paris', 3);
      const hold = await reserve(server(), { items: [{ sku: 'HC-A', quantity: 3 }] });
      expect(hold.status, hold.text).toBe(201);
      const id = hold.body.reservationId;
      const changed = await server().call('PUT', `/api/v1/reservations/${id}/lines`, {
        as: 'storefront',
        body: {
          items: [
            { sku: 'HC-A', quantity: 1 },
            { sku: 'HC-B', quantity: 2 },
          ],
        },
      });
      expect(changed.status, changed.text).toBe(200);
      expect(changed.body).toMatchObject({ reservationId: id, status: 'ACTIVE' });
      expect(changed.body.allocations).toEqual([
        { sku: 'HC-A', warehouseId: 'paris', quantity: 1 },
        { sku: 'HC-B', warehouseId: 'paris', quantity: 2 },
      ]);
      expect(await rowOf(server(), 'HC-A', 'paris')).toMatchObject({ available: 4, reserved: 1 });
      expect(await rowOf(server(), 'HC-B', 'paris')).toMatchObject({ available: 1, reserved: 2 });

      const short = await server().call('PUT', `/api/v1/reservations/${id}/lines`, {
        as: 'storefront',
        body: { items: [{ sku: 'HC-B', quantity: 4 }] },
      });
      expectProblem(short, 409, 'INSUFFICIENT_STOCK');
      expect(await rowOf(server(), 'HC-A', 'paris')).toMatchObject({ available: 4, reserved: 1 });
      const stale = await server().call('PUT', `/api/v1/reservations/${id}/lines`, {
        as: 'storefront',
        body: { items: [{ sku: 'HC-A', quantity: 1 }], expectedVersion: 1 },
      });
      expectProblem(stale, 409, 'VERSION_CONFLICT');
      const bad = await server().call('PUT', `/api/v1/reservations/${id}/lines`, {
        as: 'storefront',
        body: { items: [] },
      });
      expectProblem(bad, 400, 'VALIDATION_FAILED');
      const readonly = await server().call('PUT', `/api/v1/reservations/${id}/lines`, {
        as: 'readonly',
        body: { items: [{ sku: 'HC-A', quantity: 1 }] },
      });
      expect(readonly.status).toBe(403);
      const missing = await server().call('PUT', '/api/v1/reservations/nope/lines', {
        as: 'storefront',
        body: { items: [{ sku: 'HC-A', quantity: 1 }] },
      });
      expectProblem(missing, 404, 'NOT_FOUND');
    });

    it('commits and releases parts with `lines`; an empty body still settles the whole hold', async () => {
      await restock(server(), 'HC-P', 'paris', 10);
      const hold = await reserve(server(), { items: [{ sku: 'HC-P', quantity: 4 }] });
      const id = hold.body.reservationId;
      const part = await server().call('POST', `/api/v1/reservations/${id}/commit`, {
        as: 'storefront',
        body: { lines: [{ sku: 'HC-P', quantity: 1 }] },
      });
      expect(part.status, part.text).toBe(200);
      expect(part.body.status).toBe('ACTIVE');
      expect(part.body.allocations).toEqual([
        { sku: 'HC-P', warehouseId: 'paris', quantity: 4, committed: 1 },
      ]);
      const back = await server().call('POST', `/api/v1/reservations/${id}/release`, {
        as: 'storefront',
        body: { lines: [{ sku: 'HC-P', warehouseId: 'paris', quantity: 1 }] },
      });
      expect(back.status, back.text).toBe(200);
      expect(back.body.allocations).toEqual([
        { sku: 'HC-P', warehouseId: 'paris', quantity: 4, committed: 1, released: 1 },
      ]);
      const tooMany = await server().call('POST', `/api/v1/reservations/${id}/commit`, {
        as: 'storefront',
        body: { lines: [{ sku: 'HC-P', quantity: 3 }] },
      });
      expectProblem(tooMany, 409, 'INVALID_STATE');
      const rest = await server().call('POST', `/api/v1/reservations/${id}/commit`, {
        as: 'storefront',
      });
      expect(rest.status, rest.text).toBe(200);
      expect(rest.body.status).toBe('COMMITTED');
      expect(await rowOf(server(), 'HC-P', 'paris')).toMatchObject({
        available: 7,
        reserved: 0,
        total: 7,
      });
    });

    it('a cart edited 1,000 times concurrently with a competing buyer never loses a kept unit', async () => {
      await restock(server(), 'HC-HOT', 'paris', 10);
      await restock(server(), 'HC-SIDE', 'paris', 100);
      const hold = await reserve(server(), {
        items: [{ sku: 'HC-HOT', quantity: 4, warehouseId: 'paris' }],
      });
      expect(hold.status, hold.text).toBe(201);
      const id = hold.body.reservationId;
      const edits = inFlight(1000, 24, (index) =>
        server().call('PUT', `/api/v1/reservations/${id}/lines`, {
          as: 'storefront',
          body: {
            items: [
              { sku: 'HC-HOT', quantity: 4 },
              { sku: 'HC-SIDE', quantity: (index % 5) + 1 },
            ],
          },
        }),
      );
      const buyers = inFlight(40, 8, () =>
        reserve(server(), { items: [{ sku: 'HC-HOT', quantity: 1 }] }),
      );
      const [edited, bought] = await Promise.all([edits, buyers]);
      expect(edited.filter((answer) => answer.status !== 200).map((answer) => answer.text)).toEqual(
        [],
      );
      for (const answer of edited) {
        expect(answer.body.allocations[0]).toEqual({
          sku: 'HC-HOT',
          warehouseId: 'paris',
          quantity: 4,
        });
      }
      expect(bought.filter((answer) => answer.status === 201)).toHaveLength(6);
      for (const answer of bought.filter((item) => item.status !== 201)) {
        expectProblem(answer, 409, 'INSUFFICIENT_STOCK');
      }
      const final = await server().call('GET', `/api/v1/reservations/${id}`, { as: 'readonly' });
      expect(final.body.allocations[0]).toEqual({
        sku: 'HC-HOT',
        warehouseId: 'paris',
        quantity: 4,
      });
      const side = final.body.allocations[1].quantity as number;
      expect(await rowOf(server(), 'HC-HOT', 'paris')).toMatchObject({
        available: 0,
        reserved: 10,
        total: 10,
      });
      expect(await rowOf(server(), 'HC-SIDE', 'paris')).toMatchObject({
        available: 100 - side,
        reserved: side,
        total: 100,
      });
      // The hold's HOT units were taken once and never released: one movement of the hold.
      const hot = await movementsOf(server(), 'HC-HOT');
      expect(hot.filter((movement) => movement.reservationId === id).map((m) => m.type)).toEqual([
        'RESERVATION',
      ]);
      expect(hot.filter((movement) => movement.type === 'RESERVATION')).toHaveLength(7);
    });
  });
}
