import { describe, expect, it } from 'vitest';
import type { TestServer } from '../support.js';
import { expectProblem, reserve, restock, rowOf } from './helpers.js';

const DAY = 24 * 60 * 60 * 1000;

/** /receipts: incoming stock and the preorders it backs. */
export function receiptTests(server: () => TestServer): void {
  describe('incoming receipts and preorders', () => {
    const expected = (days: number) =>
      new Date(server().clock.now().getTime() + days * DAY).toISOString();

    it('a preorder becomes a hold when the receipt is received', async () => {
      await restock(server(), 'PRE-1', 'paris', 2);
      const policy = await server().call('PUT', '/api/v1/inventory/PRE-1/policy', {
        body: { allowPreorder: true },
      });
      expect(policy.status, policy.text).toBe(200);
      expect(policy.body).toMatchObject({ sku: 'PRE-1', allowPreorder: true, stored: true });

      const created = await server().call('POST', '/api/v1/receipts', {
        body: {
          sku: 'PRE-1',
          warehouseId: 'berlin',
          quantity: 10,
          expectedAt: expected(5),
          reference: 'PO-1042',
        },
      });
      expect(created.status, created.text).toBe(201);
      expect(created.body).toEqual({
        id: expect.stringMatching(/^rcp_/),
        sku: 'PRE-1',
        warehouseId: 'berlin',
        quantity: 10,
        receivedQuantity: 0,
        preorderedQuantity: 0,
        expectedAt: expected(5),
        reference: 'PO-1042',
        status: 'EXPECTED',
        createdAt: server().clock.now().toISOString(),
        receivedAt: null,
        cancelledAt: null,
      });
      const id = created.body.id as string;

      const check = await server().call('GET', '/api/v1/inventory/check?sku=PRE-1&quantity=5', {
        as: 'storefront',
      });
      expect(check.status, check.text).toBe(200);
      expect(check.body).toMatchObject({
        isAvailable: false,
        availableQuantity: 2,
        preorder: { quantity: 3, expectedAt: expected(5) },
      });
      expect(check.body.preorderable).toBeUndefined();
      // Asked for: what the receipts may still promise, also when the quantity is available.
      const asked = await server().call(
        'GET',
        '/api/v1/inventory/check?sku=PRE-1&quantity=1&preorderable=true',
        { as: 'storefront' },
      );
      expect(asked.status, asked.text).toBe(200);
      expect(asked.body).toMatchObject({
        isAvailable: true,
        availableQuantity: 2,
        preorderable: { quantity: 10, earliestExpectedAt: expected(5) },
      });
      expectProblem(
        await server().call('GET', '/api/v1/inventory/check?sku=PRE-1&quantity=1&preorderable=yes'),
        400,
        'VALIDATION_FAILED',
      );
      const cart = await server().call('POST', '/api/v1/inventory/check-cart', {
        as: 'storefront',
        body: { items: [{ sku: 'PRE-1', quantity: 5 }] },
      });
      expect(cart.status, cart.text).toBe(200);
      expect(cart.body).toMatchObject({
        isAvailable: true,
        allocations: [{ sku: 'PRE-1', warehouseId: 'paris', quantity: 2 }],
        preorders: [
          {
            sku: 'PRE-1',
            warehouseId: 'berlin',
            quantity: 3,
            receiptId: id,
            expectedAt: expected(5),
          },
        ],
      });

      const hold = await reserve(server(), { items: [{ sku: 'PRE-1', quantity: 5 }] });
      expect(hold.status, hold.text).toBe(201);
      expect(hold.body.allocations).toEqual([
        { sku: 'PRE-1', warehouseId: 'paris', quantity: 2 },
        {
          sku: 'PRE-1',
          warehouseId: 'berlin',
          quantity: 3,
          preordered: 3,
          receiptId: id,
          expectedAt: expected(5),
        },
      ]);
      const reservationId = hold.body.reservationId as string;
      expect(await rowOf(server(), 'PRE-1', 'paris')).toMatchObject({ available: 0, reserved: 2 });
      expect(await rowOf(server(), 'PRE-1', 'berlin')).toBeNull();
      expectProblem(
        await server().call('POST', `/api/v1/reservations/${reservationId}/commit`, {
          as: 'storefront',
        }),
        409,
        'INVALID_STATE',
      );
      expectProblem(
        await server().call('POST', `/api/v1/receipts/${id}/cancel`),
        409,
        'INVALID_STATE',
      );
      expect(
        (await server().call('GET', `/api/v1/receipts/${id}`, { as: 'readonly' })).body,
      ).toMatchObject({ preorderedQuantity: 3 });

      // 4 of 10 arrive: the 3 preordered units become held, the 4th is available.
      const partly = await server().call('POST', `/api/v1/receipts/${id}/receive`, {
        body: { quantity: 4 },
      });
      expect(partly.status, partly.text).toBe(200);
      expect(partly.body).toMatchObject({
        status: 'PARTIALLY_RECEIVED',
        receivedQuantity: 4,
        preorderedQuantity: 0,
        receivedAt: server().clock.now().toISOString(),
      });
      expect(await rowOf(server(), 'PRE-1', 'berlin')).toMatchObject({
        available: 1,
        reserved: 3,
        total: 4,
      });
      const after = await server().call('GET', `/api/v1/reservations/${reservationId}`, {
        as: 'storefront',
      });
      expect(after.body.allocations[1]).toMatchObject({
        quantity: 3,
        preordered: 0,
        receiptId: id,
      });
      const committed = await server().call(
        'POST',
        `/api/v1/reservations/${reservationId}/commit`,
        { as: 'storefront' },
      );
      expect(committed.status, committed.text).toBe(200);
      expect(await rowOf(server(), 'PRE-1', 'berlin')).toMatchObject({
        available: 1,
        reserved: 0,
        total: 1,
      });
      const movements = await server().call(
        'GET',
        '/api/v1/inventory/PRE-1/movements?warehouseId=berlin',
        { as: 'readonly' },
      );
      expect(movements.status, movements.text).toBe(200);
      expect(movements.body.items.map((movement: { type: string }) => movement.type)).toEqual([
        'SALE',
        'RESERVATION',
        'RESTOCK',
      ]);

      expectProblem(
        await server().call('POST', `/api/v1/receipts/${id}/receive`, { body: { quantity: 7 } }),
        409,
        'INVALID_STATE',
      );
      const rest = await server().call('POST', `/api/v1/receipts/${id}/receive`);
      expect(rest.body).toMatchObject({ status: 'RECEIVED', receivedQuantity: 10 });
      expect(await rowOf(server(), 'PRE-1', 'berlin')).toMatchObject({ available: 7 });
      expectProblem(
        await server().call('POST', `/api/v1/receipts/${id}/cancel`),
        409,
        'INVALID_STATE',
      );
    });

    it('cancels open receipts, lists and filters them; roles and validation', async () => {
      const body = { sku: 'PRE-2', warehouseId: 'madrid', quantity: 3, expectedAt: expected(2) };
      expectProblem(
        await server().call('POST', '/api/v1/receipts', { as: 'storefront', body }),
        403,
        'FORBIDDEN',
      );
      expectProblem(
        await server().call('POST', '/api/v1/receipts', { body: { ...body, quantity: 0 } }),
        400,
        'VALIDATION_FAILED',
      );
      expectProblem(
        await server().call('POST', '/api/v1/receipts', { body: { ...body, warehouseId: 'oslo' } }),
        404,
        'NOT_FOUND',
      );
      const first = await server().call('POST', '/api/v1/receipts', { body });
      const second = await server().call('POST', '/api/v1/receipts', {
        body: { ...body, quantity: 4 },
      });
      expect([first.status, second.status]).toEqual([201, 201]);
      const cancelled = await server().call('POST', `/api/v1/receipts/${first.body.id}/cancel`);
      expect(cancelled.status, cancelled.text).toBe(200);
      expect(cancelled.body).toMatchObject({
        status: 'CANCELLED',
        cancelledAt: server().clock.now().toISOString(),
      });
      expectProblem(
        await server().call('POST', `/api/v1/receipts/${first.body.id}/receive`),
        409,
        'INVALID_STATE',
      );
      expectProblem(
        await server().call('POST', '/api/v1/receipts/rcp_missing/receive'),
        404,
        'NOT_FOUND',
      );
      expectProblem(
        await server().call('GET', '/api/v1/receipts/rcp_missing', { as: 'readonly' }),
        404,
        'NOT_FOUND',
      );

      const listed = await server().call('GET', '/api/v1/receipts?sku=PRE-2&limit=1', {
        as: 'readonly',
      });
      expect(listed.status, listed.text).toBe(200);
      expect(listed.body.items.map((item: { id: string }) => item.id)).toEqual([second.body.id]);
      const next = await server().call(
        'GET',
        `/api/v1/receipts?sku=PRE-2&limit=1&cursor=${listed.body.nextCursor}`,
        { as: 'readonly' },
      );
      expect(next.body).toEqual({ items: [cancelled.body], nextCursor: null });
      const open = await server().call(
        'GET',
        '/api/v1/receipts?warehouseId=madrid&status=EXPECTED',
        {
          as: 'readonly',
        },
      );
      expect(open.body.items.map((item: { id: string }) => item.id)).toEqual([second.body.id]);
      expectProblem(
        await server().call('GET', '/api/v1/receipts?status=LOST', { as: 'readonly' }),
        400,
        'VALIDATION_FAILED',
      );
      // No preorders without the policy: the SKU is simply short.
      expectProblem(
        await reserve(server(), { items: [{ sku: 'PRE-2', quantity: 1 }] }),
        409,
        'INSUFFICIENT_STOCK',
      );
    });
  });
}
