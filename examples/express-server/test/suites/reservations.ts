import { describe, expect, it } from 'vitest';
import type { TestServer } from '../support.js';
import { expectProblem, metric, reserve, restock, rowOf, runJob, stockOf } from './helpers.js';

/** /reservations and /orders. */
export function reservationTests(server: () => TestServer): void {
  describe('reservations', () => {
    it('holds stock (201) and reads it back', async () => {
      await restock(server(), 'RES-1', 'paris', 10);
      const held = await reserve(server(), {
        items: [{ sku: 'RES-1', quantity: 3 }],
        orderId: 'order-1',
        userId: 'user-1',
      });
      expect(held.status).toBe(201);
      expect(held.body).toEqual({
        reservationId: expect.stringMatching(/^res_/),
        status: 'ACTIVE',
        orderId: 'order-1',
        userId: 'user-1',
        createdAt: server().clock.now().toISOString(),
        expiresAt: new Date(server().clock.now().getTime() + 600_000).toISOString(),
        committedAt: null,
        releasedAt: null,
        allocations: [{ sku: 'RES-1', warehouseId: 'paris', quantity: 3 }],
      });
      expect(await rowOf(server(), 'RES-1', 'paris')).toMatchObject({ available: 7, reserved: 3 });
      const read = await server().call('GET', `/api/v1/reservations/${held.body.reservationId}`, {
        as: 'readonly',
      });
      expect(read.status).toBe(200);
      expect(read.body).toEqual(held.body);
      expectProblem(
        await server().call('GET', '/api/v1/reservations/res_unknown'),
        404,
        'NOT_FOUND',
      );
    });

    it('splits a line over the nearest warehouses and shows the split in allocations', async () => {
      await restock(server(), 'RES-SPLIT', 'paris', 3);
      await restock(server(), 'RES-SPLIT', 'berlin', 5);
      await restock(server(), 'RES-SPLIT', 'madrid', 9);
      const held = await reserve(server(), {
        items: [{ sku: 'RES-SPLIT', quantity: 6 }],
        strategy: 'nearest',
        location: { latitude: 50.85, longitude: 4.35 },
      });
      expect(held.status).toBe(201);
      // Paris (≈264 km from Brussels) is emptied first, the rest comes from Berlin (≈650 km),
      // nothing from Madrid (≈1,300 km).
      expect(held.body.allocations).toEqual(
        expect.arrayContaining([
          { sku: 'RES-SPLIT', warehouseId: 'paris', quantity: 3 },
          { sku: 'RES-SPLIT', warehouseId: 'berlin', quantity: 3 },
        ]),
      );
      expect(held.body.allocations).toHaveLength(2);
    });

    it('refuses a request it cannot fill entirely: 409 with shortfalls, nothing held', async () => {
      const before = await stockOf(server(), 'RES-1');
      const refused = await reserve(server(), {
        items: [
          { sku: 'RES-1', quantity: 2 },
          { sku: 'RES-SPLIT', quantity: 100 },
        ],
      });
      expectProblem(refused, 409, 'INSUFFICIENT_STOCK');
      expect(refused.body.shortfalls).toEqual([
        { sku: 'RES-SPLIT', requested: 100, available: 11 },
      ]);
      expect(await stockOf(server(), 'RES-1')).toEqual(before);
    });

    it('commits: reserved units are sold (a SALE movement); again → 200 unchanged', async () => {
      const held = await reserve(server(), { items: [{ sku: 'RES-1', quantity: 2 }] });
      const id = held.body.reservationId;
      const committed = await server().call('POST', `/api/v1/reservations/${id}/commit`, {
        as: 'storefront',
      });
      expect(committed.status).toBe(200);
      expect(committed.body).toMatchObject({
        reservationId: id,
        status: 'COMMITTED',
        committedAt: server().clock.now().toISOString(),
      });
      expect(await rowOf(server(), 'RES-1', 'paris')).toMatchObject({
        available: 5,
        reserved: 3,
        total: 8,
      });
      const movements = await server().call('GET', '/api/v1/inventory/RES-1/movements?limit=1');
      expect(movements.body.items[0]).toMatchObject({
        type: 'SALE',
        reservationId: id,
        deltas: { reserved: -2 },
      });
      const again = await server().call('POST', `/api/v1/reservations/${id}/commit`, {
        as: 'storefront',
      });
      expect(again.status).toBe(200);
      expect(again.body).toEqual(committed.body);
      expect(await rowOf(server(), 'RES-1', 'paris')).toMatchObject({ available: 5, reserved: 3 });
      expectProblem(
        await server().call('POST', `/api/v1/reservations/${id}/release`),
        409,
        'INVALID_STATE',
      );
      expectProblem(
        await server().call('POST', '/api/v1/reservations/res_unknown/commit'),
        404,
        'NOT_FOUND',
      );
    });

    it('releases: units are available again; again → 200 unchanged; commit after → 409', async () => {
      const held = await reserve(server(), { items: [{ sku: 'RES-1', quantity: 4 }] });
      const id = held.body.reservationId;
      expect(await rowOf(server(), 'RES-1', 'paris')).toMatchObject({ available: 1, reserved: 7 });
      const released = await server().call('POST', `/api/v1/reservations/${id}/release`, {
        as: 'storefront',
        body: {},
      });
      expect(released.status).toBe(200);
      expect(released.body).toMatchObject({
        status: 'RELEASED',
        releasedAt: server().clock.now().toISOString(),
      });
      expect(await rowOf(server(), 'RES-1', 'paris')).toMatchObject({ available: 5, reserved: 3 });
      const again = await server().call('POST', `/api/v1/reservations/${id}/release`);
      expect(again.status).toBe(200);
      expect(again.body).toEqual(released.body);
      expectProblem(
        await server().call('POST', `/api/v1/reservations/${id}/commit`),
        409,
        'INVALID_STATE',
      );
      expectProblem(
        await server().call('POST', '/api/v1/reservations/res_unknown/release'),
        404,
        'NOT_FOUND',
      );
    });

    it('extends an ACTIVE reservation within the maximum lifetime', async () => {
      const held = await reserve(server(), {
        items: [{ sku: 'RES-1', quantity: 1 }],
        ttlSeconds: 600,
      });
      const id = held.body.reservationId;
      const extended = await server().call('POST', `/api/v1/reservations/${id}/extend`, {
        as: 'storefront',
        body: { seconds: 1800 },
      });
      expect(extended.status).toBe(200);
      expect(
        new Date(extended.body.expiresAt).getTime() - new Date(held.body.expiresAt).getTime(),
      ).toBe(1_800_000);
      const tooLong = await server().call('POST', `/api/v1/reservations/${id}/extend`, {
        body: { seconds: 1201 },
      });
      expectProblem(tooLong, 409, 'INVALID_STATE');
      expectProblem(
        await server().call('POST', `/api/v1/reservations/${id}/extend`, { body: { seconds: 0 } }),
        400,
        'VALIDATION_FAILED',
      );
      expectProblem(
        await server().call('POST', '/api/v1/reservations/res_unknown/extend', {
          body: { seconds: 5 },
        }),
        404,
        'NOT_FOUND',
      );
      await server().call('POST', `/api/v1/reservations/${id}/release`);
      expectProblem(
        await server().call('POST', `/api/v1/reservations/${id}/extend`, { body: { seconds: 5 } }),
        409,
        'INVALID_STATE',
      );
    });

    it('a reservation past expiresAt cannot be committed or extended (409 INVALID_STATE)', async () => {
      const held = await reserve(server(), {
        items: [{ sku: 'RES-1', quantity: 1 }],
        ttlSeconds: 30,
      });
      server().clock.advance(31_000);
      const id = held.body.reservationId;
      expectProblem(
        await server().call('POST', `/api/v1/reservations/${id}/commit`),
        409,
        'INVALID_STATE',
      );
      expectProblem(
        await server().call('POST', `/api/v1/reservations/${id}/extend`, { body: { seconds: 60 } }),
        409,
        'INVALID_STATE',
      );
      await runJob(server(), 'expire-reservations');
      expect((await server().call('GET', `/api/v1/reservations/${id}`)).body.status).toBe(
        'EXPIRED',
      );
    });

    it('ttlSeconds: 1 → EXPIRED after the expiry job, its stock available again; /metrics counts it', async () => {
      await runJob(server(), 'expire-reservations');
      await restock(server(), 'RES-TTL', 'madrid', 5);
      const expiredBefore = await metric(
        server(),
        'stockroom_reservations_total',
        '{outcome="expired"}',
      );
      const held = await reserve(server(), {
        items: [{ sku: 'RES-TTL', quantity: 5 }],
        ttlSeconds: 1,
      });
      expect(held.status).toBe(201);
      expect(await rowOf(server(), 'RES-TTL', 'madrid')).toMatchObject({
        available: 0,
        reserved: 5,
      });
      expect(await runJob(server(), 'expire-reservations')).toBe(0);
      server().clock.advance(1000);
      expect(await runJob(server(), 'expire-reservations')).toBe(1);
      const read = await server().call('GET', `/api/v1/reservations/${held.body.reservationId}`);
      expect(read.body).toMatchObject({
        status: 'EXPIRED',
        releasedAt: server().clock.now().toISOString(),
      });
      expect(await rowOf(server(), 'RES-TTL', 'madrid')).toMatchObject({
        available: 5,
        reserved: 0,
      });
      const movements = await server().call('GET', '/api/v1/inventory/RES-TTL/movements?limit=1');
      expect(movements.body.items[0]).toMatchObject({
        type: 'EXPIRATION',
        reservationId: held.body.reservationId,
        actor: 'system:expiry',
      });
      expect(await metric(server(), 'stockroom_reservations_total', '{outcome="expired"}')).toBe(
        expiredBefore + 1,
      );
      expect(
        await metric(server(), 'stockroom_job_processed_total', '{job="expire-reservations"}'),
      ).toBeGreaterThanOrEqual(1);
    });

    it('200 concurrent reservations of 1 unit against 50 available: exactly 50 × 201 and 150 × 409', async () => {
      await restock(server(), 'RES-HOT', 'berlin', 50);
      const admittedBefore = await metric(
        server(),
        'stockroom_reservations_total',
        '{outcome="admitted"}',
      );
      const refusedBefore = await metric(
        server(),
        'stockroom_reservations_total',
        '{outcome="refused"}',
      );
      const answers = await Promise.all(
        Array.from({ length: 200 }, (_, index) =>
          reserve(server(), {
            items: [{ sku: 'RES-HOT', quantity: 1 }],
            userId: `shopper-${index}`,
          }),
        ),
      );
      const statuses = answers.map((answer) => answer.status);
      expect(statuses.filter((status) => status === 201)).toHaveLength(50);
      expect(statuses.filter((status) => status === 409)).toHaveLength(150);
      for (const answer of answers.filter((candidate) => candidate.status === 409)) {
        expect(answer.body.code).toBe('INSUFFICIENT_STOCK');
      }
      expect(await rowOf(server(), 'RES-HOT', 'berlin')).toMatchObject({
        available: 0,
        reserved: 50,
        total: 50,
      });
      expect(await metric(server(), 'stockroom_reservations_total', '{outcome="admitted"}')).toBe(
        admittedBefore + 50,
      );
      expect(await metric(server(), 'stockroom_reservations_total', '{outcome="refused"}')).toBe(
        refusedBefore + 150,
      );
    });
  });

  describe('reservation outcome metrics', () => {
    it('counts a commit and a release once each, however often they are repeated at once', async () => {
      await restock(server(), 'RES-METRIC', 'paris', 10);
      const count = (outcome: string) =>
        metric(server(), 'stockroom_reservations_total', `{outcome="${outcome}"}`);
      const [committedBefore, releasedBefore] = [await count('committed'), await count('released')];
      const sold = await reserve(server(), { items: [{ sku: 'RES-METRIC', quantity: 2 }] });
      const held = await reserve(server(), { items: [{ sku: 'RES-METRIC', quantity: 3 }] });
      const answers = await Promise.all([
        ...Array.from({ length: 4 }, () =>
          server().call('POST', `/api/v1/reservations/${sold.body.reservationId}/commit`),
        ),
        ...Array.from({ length: 4 }, () =>
          server().call('POST', `/api/v1/reservations/${held.body.reservationId}/release`),
        ),
      ]);
      expect(answers.map((answer) => answer.status)).toEqual(Array(8).fill(200));
      expect(await count('committed')).toBe(committedBefore + 1);
      expect(await count('released')).toBe(releasedBefore + 1);
      expect(await rowOf(server(), 'RES-METRIC', 'paris')).toMatchObject({
        available: 8,
        reserved: 0,
        total: 8,
      });
    });
  });

  describe('orders', () => {
    it('cancel releases ACTIVE reservations and refunds committed ones (REFUND movements)', async () => {
      await restock(server(), 'ORD-1', 'paris', 10);
      const sold = await reserve(server(), {
        items: [{ sku: 'ORD-1', quantity: 4 }],
        orderId: 'order-77',
      });
      await server().call('POST', `/api/v1/reservations/${sold.body.reservationId}/commit`);
      const held = await reserve(server(), {
        items: [{ sku: 'ORD-1', quantity: 2 }],
        orderId: 'order-77',
      });
      expect(await rowOf(server(), 'ORD-1', 'paris')).toMatchObject({
        available: 4,
        reserved: 2,
        total: 6,
      });
      const partial = await server().call('POST', '/api/v1/orders/order-77/cancel', {
        as: 'storefront',
        body: { items: [{ sku: 'ORD-1', warehouseId: 'paris', quantity: 1 }] },
      });
      expect(partial.status).toBe(200);
      expect(
        partial.body.released.map((reservation: { reservationId: string; status: string }) => [
          reservation.reservationId,
          reservation.status,
        ]),
      ).toEqual([[held.body.reservationId, 'RELEASED']]);
      expect(partial.body.refunded).toEqual([
        expect.objectContaining({
          type: 'REFUND',
          sku: 'ORD-1',
          warehouseId: 'paris',
          orderId: 'order-77',
          deltas: { available: 1, reserved: 0, damaged: 0, inTransit: 0, backordered: 0 },
        }),
      ]);
      expect(await rowOf(server(), 'ORD-1', 'paris')).toMatchObject({
        available: 7,
        reserved: 0,
        total: 7,
      });
      const tooMuch = await server().call('POST', '/api/v1/orders/order-77/cancel', {
        body: { items: [{ sku: 'ORD-1', warehouseId: 'paris', quantity: 4 }] },
      });
      expectProblem(tooMuch, 409, 'INVALID_STATE');
      const rest = await server().call('POST', '/api/v1/orders/order-77/cancel');
      expect(rest.status).toBe(200);
      expect(rest.body.released).toEqual([]);
      expect(
        rest.body.refunded.map(
          (movement: { deltas: { available: number } }) => movement.deltas.available,
        ),
      ).toEqual([3]);
      expect(await rowOf(server(), 'ORD-1', 'paris')).toMatchObject({ available: 10 });
      const none = await server().call('POST', '/api/v1/orders/no-such-order/cancel', { body: {} });
      expect(none.body).toEqual({ released: [], refunded: [] });
    });
  });
}
