import { describe, expect, it } from 'vitest';
import type { TestServer } from '../support.js';
import { expectProblem, reserve, restock, rowOf } from './helpers.js';

/** Backorders over HTTP: the policy fields, held and backordered units, restocks that fill. */
export function backorderTests(server: () => TestServer): void {
  describe('backorders', () => {
    it('a backorder filled by a restock ends as an ordinary hold', async () => {
      await restock(server(), 'BO-1', 'paris', 2);
      const denied = await reserve(server(), {
        items: [{ sku: 'BO-1', quantity: 5, warehouseId: 'paris' }],
      });
      expectProblem(denied, 409, 'INSUFFICIENT_STOCK');

      const policy = await server().call('PUT', '/api/v1/inventory/BO-1/policy', {
        body: { backorderPolicy: 'CONTINUE', backorderLimit: 10 },
      });
      expect(policy.status, policy.text).toBe(200);
      expect(policy.body).toMatchObject({
        sku: 'BO-1',
        backorderPolicy: 'CONTINUE',
        backorderLimit: 10,
        stored: true,
      });
      const check = await server().call('GET', '/api/v1/inventory/check?sku=BO-1&quantity=5', {
        as: 'readonly',
      });
      expect(check.body).toMatchObject({
        isAvailable: false,
        wouldBackorder: true,
        backorderedQuantity: 3,
        availableQuantity: 2,
      });

      const hold = await reserve(server(), {
        items: [{ sku: 'BO-1', quantity: 5, warehouseId: 'paris' }],
      });
      expect(hold.status, hold.text).toBe(201);
      expect(hold.body.allocations).toEqual([
        { sku: 'BO-1', warehouseId: 'paris', quantity: 5, backordered: 3 },
      ]);
      expect(await rowOf(server(), 'BO-1', 'paris')).toMatchObject({
        available: 0,
        reserved: 2,
        backordered: 3,
        total: 2,
      });

      // Beyond the limit of 10 backordered units on the row: refused.
      expectProblem(
        await reserve(server(), { items: [{ sku: 'BO-1', quantity: 8, warehouseId: 'paris' }] }),
        409,
        'INSUFFICIENT_STOCK',
      );

      await restock(server(), 'BO-1', 'paris', 4);
      expect(await rowOf(server(), 'BO-1', 'paris')).toMatchObject({
        available: 1,
        reserved: 5,
        backordered: 0,
        total: 6,
      });
      const filled = await server().call('GET', `/api/v1/reservations/${hold.body.reservationId}`, {
        as: 'storefront',
      });
      expect(filled.status, filled.text).toBe(200);
      expect(filled.body).toMatchObject({
        status: 'ACTIVE',
        // Filled: an ordinary line again (no backordered units shown).
        allocations: [{ sku: 'BO-1', warehouseId: 'paris', quantity: 5 }],
      });
      const movements = await server().call('GET', '/api/v1/inventory/BO-1/movements', {
        as: 'readonly',
      });
      expect(movements.status, movements.text).toBe(200);
      expect(
        movements.body.items.filter((item: { type: string }) => item.type === 'BACKORDER_FILL'),
      ).toMatchObject([
        {
          type: 'BACKORDER_FILL',
          reservationId: hold.body.reservationId,
          deltas: { available: -3, reserved: 3, damaged: 0, inTransit: 0, backordered: -3 },
        },
      ]);

      // An ordinary hold now: its commit sells all 5 units.
      const committed = await server().call(
        'POST',
        `/api/v1/reservations/${hold.body.reservationId}/commit`,
        { as: 'storefront' },
      );
      expect(committed.status, committed.text).toBe(200);
      expect(await rowOf(server(), 'BO-1', 'paris')).toMatchObject({
        available: 1,
        reserved: 0,
        backordered: 0,
        total: 1,
      });
    });

    it('lowering safety stock fills the waiting lines; the answer is the row after the fills', async () => {
      await restock(server(), 'BO-SAFE', 'paris', 3);
      const settings = '/api/v1/inventory/BO-SAFE/warehouses/paris/settings';
      expect((await server().call('PUT', settings, { body: { safetyStock: 3 } })).status).toBe(200);
      await server().call('PUT', '/api/v1/inventory/BO-SAFE/policy', {
        body: { backorderPolicy: 'CONTINUE' },
      });
      const hold = await reserve(server(), {
        items: [{ sku: 'BO-SAFE', quantity: 2, warehouseId: 'paris' }],
      });
      expect(hold.body.allocations).toEqual([
        { sku: 'BO-SAFE', warehouseId: 'paris', quantity: 2, backordered: 2 },
      ]);
      const lowered = await server().call('PUT', settings, { body: { safetyStock: 2 } });
      expect(lowered.status, lowered.text).toBe(200);
      expect(lowered.body).toMatchObject({
        available: 2,
        reserved: 1,
        backordered: 1,
        safetyStock: 2,
      });
      expect(await rowOf(server(), 'BO-SAFE', 'paris')).toMatchObject({
        available: 2,
        reserved: 1,
        backordered: 1,
        total: 3,
      });
      const movements = await server().call('GET', '/api/v1/inventory/BO-SAFE/movements');
      expect(movements.body.items[0]).toMatchObject({
        type: 'BACKORDER_FILL',
        reservationId: hold.body.reservationId,
        actor: 'system:backorders',
      });
    });
  });
}
