import { describe, expect, it } from 'vitest';
import type { TestServer } from '../support.js';
import { expectProblem, reserve, restock, rowOf } from './helpers.js';

/** Carts and stock corrections: bulk set with compare, damaged units, the whole-cart check. */
export function cartTests(server: () => TestServer): void {
  describe('inventory: bulk set with compare', () => {
    it('a stale expectedQuantity fails that item with VERSION_CONFLICT and changes nothing for it', async () => {
      await restock(server(), 'CMP-1', 'paris', 10);
      await restock(server(), 'CMP-2', 'paris', 5);
      // A sale after the import's numbers were read: CMP-1 is now 8.
      const hold = await reserve(server(), { items: [{ sku: 'CMP-1', quantity: 2 }] });
      expect(hold.status, hold.text).toBe(201);
      const commit = await server().call(
        'POST',
        `/api/v1/reservations/${hold.body.reservationId}/commit`,
        { as: 'storefront' },
      );
      expect(commit.status, commit.text).toBe(200);
      const before = await rowOf(server(), 'CMP-1', 'paris');

      const answer = await server().call('POST', '/api/v1/inventory/bulk-update', {
        body: {
          mode: 'set',
          items: [
            { sku: 'CMP-1', warehouseId: 'paris', quantity: 10, expectedQuantity: 10 },
            { sku: 'CMP-2', warehouseId: 'paris', quantity: 6, expectedQuantity: 5 },
          ],
        },
      });
      expect(answer.status, answer.text).toBe(200);
      expect(answer.body).toEqual({
        applied: 1,
        failed: [
          {
            index: 0,
            code: 'VERSION_CONFLICT',
            detail: 'CMP-1@paris holds 8 available, not the expected 10',
          },
        ],
      });
      expect(await rowOf(server(), 'CMP-1', 'paris')).toEqual(before);
      expect(await rowOf(server(), 'CMP-2', 'paris')).toMatchObject({ available: 6 });
    });

    it('atomic: a stale compare answers 409 VERSION_CONFLICT and applies nothing', async () => {
      const answer = await server().call('POST', '/api/v1/inventory/bulk-update', {
        body: {
          mode: 'set',
          atomic: true,
          items: [
            { sku: 'CMP-2', warehouseId: 'paris', quantity: 1, expectedQuantity: 6 },
            { sku: 'CMP-1', warehouseId: 'paris', quantity: 1, expectedQuantity: 9 },
          ],
        },
      });
      expectProblem(answer, 409, 'VERSION_CONFLICT');
      expect(answer.body.failed).toMatchObject([{ index: 1, code: 'VERSION_CONFLICT' }]);
      expect(await rowOf(server(), 'CMP-2', 'paris')).toMatchObject({ available: 6 });
      const bad = await server().call('POST', '/api/v1/inventory/bulk-update', {
        body: {
          mode: 'set',
          items: [{ sku: 'CMP-2', warehouseId: 'paris', quantity: 1, expectedQuantity: -1 }],
        },
      });
      expectProblem(bad, 400, 'VALIDATION_FAILED');
    });
  });

  describe('inventory: damaged units', () => {
    it('writes off (with a reason) and restores damaged units', async () => {
      await restock(server(), 'DMG-1', 'berlin', 10);
      const adjust = (body: Record<string, unknown>) =>
        server().call('POST', '/api/v1/inventory/adjust', {
          body: { sku: 'DMG-1', warehouseId: 'berlin', ...body },
        });
      expect((await adjust({ type: 'DAMAGE', quantity: 4 })).status).toBe(200);
      const restored = await adjust({ type: 'RESTORE', quantity: 1 });
      expect(restored.status, restored.text).toBe(200);
      expect(restored.body.stock).toMatchObject({ available: 7, damaged: 3, total: 10 });
      expect(restored.body.movement).toMatchObject({
        type: 'RESTORE',
        deltas: { available: 1, damaged: -1 },
      });
      expectProblem(await adjust({ type: 'WRITE_OFF', quantity: 2 }), 400, 'VALIDATION_FAILED');
      expectProblem(
        await adjust({ type: 'WRITE_OFF', quantity: 4, reason: 'crushed' }),
        409,
        'INSUFFICIENT_STOCK',
      );
      const written = await adjust({ type: 'WRITE_OFF', quantity: 2, reason: 'crushed' });
      expect(written.status, written.text).toBe(200);
      expect(written.body.stock).toMatchObject({ available: 7, damaged: 1, total: 8 });
      expect(written.body.movement).toMatchObject({
        type: 'WRITE_OFF',
        reason: 'crushed',
        deltas: { available: 0, damaged: -2 },
      });
      const movements = await server().call(
        'GET',
        '/api/v1/inventory/DMG-1/movements?warehouseId=berlin',
      );
      expect(movements.body.items.map((movement: { type: string }) => movement.type)).toEqual([
        'WRITE_OFF',
        'RESTORE',
        'DAMAGE',
        'RESTOCK',
      ]);
    });
  });

  describe('inventory: whole-cart check', () => {
    const check = (body: unknown, as: 'admin' | 'storefront' | 'readonly' = 'storefront') =>
      server().call('POST', '/api/v1/inventory/check-cart', { as, body });

    it('answers per SKU and for the cart with the allocation the reservation then makes', async () => {
      await restock(server(), 'CART-1', 'paris', 3);
      await restock(server(), 'CART-1', 'berlin', 4);
      await restock(server(), 'CART-2', 'madrid', 2);
      const body = {
        items: [
          { sku: 'CART-1', quantity: 2 },
          { sku: 'CART-2', quantity: 1 },
          { sku: 'CART-1', quantity: 3 },
        ],
        location: { latitude: 48.8566, longitude: 2.3522 },
      };
      const answer = await check(body, 'readonly');
      expect(answer.status, answer.text).toBe(200);
      expect(answer.body).toEqual({
        isAvailable: true,
        allocations: [
          { sku: 'CART-1', warehouseId: 'berlin', quantity: 2 },
          { sku: 'CART-1', warehouseId: 'paris', quantity: 3 },
          { sku: 'CART-2', warehouseId: 'madrid', quantity: 1 },
        ],
        shortfalls: [],
        preorders: [],
        lines: [
          {
            sku: 'CART-1',
            requestedQuantity: 5,
            availableQuantity: 7,
            isAvailable: true,
            backorderedQuantity: 0,
            allocations: [
              { sku: 'CART-1', warehouseId: 'berlin', quantity: 2 },
              { sku: 'CART-1', warehouseId: 'paris', quantity: 3 },
            ],
            shortfalls: [],
            preorders: [],
          },
          {
            sku: 'CART-2',
            requestedQuantity: 1,
            availableQuantity: 2,
            isAvailable: true,
            backorderedQuantity: 0,
            allocations: [{ sku: 'CART-2', warehouseId: 'madrid', quantity: 1 }],
            shortfalls: [],
            preorders: [],
          },
        ],
      });
      expect(await rowOf(server(), 'CART-1', 'paris')).toMatchObject({ available: 3, version: 1 });
      const hold = await reserve(server(), body);
      expect(hold.status, hold.text).toBe(201);
      expect(hold.body.allocations).toEqual(answer.body.allocations);

      // Held units are gone from the next check: the cart is now short of CART-1.
      const after = await check(body);
      expect(after.status).toBe(200);
      expect(after.body).toMatchObject({
        isAvailable: false,
        allocations: [],
        shortfalls: [{ sku: 'CART-1', requested: 5, available: 2 }],
      });
      expect(after.body.lines.map((line: { isAvailable: boolean }) => line.isAvailable)).toEqual([
        false,
        true,
      ]);
    });

    it('refuses a malformed cart with 400 and an unknown key with 401', async () => {
      expectProblem(await check({ items: [] }), 400, 'VALIDATION_FAILED');
      expectProblem(
        await check({ items: [{ sku: 'CART-1', quantity: 1 }], strategy: 'cheapest' }),
        400,
        'VALIDATION_FAILED',
      );
      const anonymous = await server().call('POST', '/api/v1/inventory/check-cart', {
        as: 'none',
        body: { items: [{ sku: 'CART-1', quantity: 1 }] },
      });
      expectProblem(anonymous, 401, 'UNAUTHORIZED');
    });
  });
}
