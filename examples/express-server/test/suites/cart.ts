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
}
