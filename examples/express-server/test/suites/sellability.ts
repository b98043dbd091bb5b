import { describe, expect, it } from 'vitest';
import type { TestServer } from '../support.js';
import { expectProblem, reserve, restock, rowOf } from './helpers.js';

/** Safety stock (settings) and per-cart limits (/inventory/:sku/policy). */
export function sellabilityTests(server: () => TestServer): void {
  describe('sellability: safety stock and cart limits', () => {
    it('safety stock: checks and reservations see available − safety; the row keeps every unit', async () => {
      await restock(server(), 'SELL-SAFE', 'paris', 10);
      const settings = await server().call(
        'PUT',
        '/api/v1/inventory/SELL-SAFE/warehouses/paris/settings',
        { body: { safetyStock: 4 } },
      );
      expect(settings.status, settings.text).toBe(200);
      expect(settings.body).toMatchObject({ available: 10, safetyStock: 4 });
      const check = await server().call('GET', '/api/v1/inventory/check?sku=SELL-SAFE&quantity=7', {
        as: 'storefront',
      });
      expect(check.body).toMatchObject({ isAvailable: false, availableQuantity: 6 });
      const refused = await reserve(server(), { items: [{ sku: 'SELL-SAFE', quantity: 7 }] });
      expectProblem(refused, 409, 'INSUFFICIENT_STOCK');
      expect(refused.body.shortfalls).toEqual([{ sku: 'SELL-SAFE', requested: 7, available: 6 }]);
      expect((await reserve(server(), { items: [{ sku: 'SELL-SAFE', quantity: 6 }] })).status).toBe(
        201,
      );
      expect(await rowOf(server(), 'SELL-SAFE', 'paris')).toMatchObject({
        available: 4,
        reserved: 6,
        safetyStock: 4,
      });
      expectProblem(
        await server().call('PUT', '/api/v1/inventory/SELL-SAFE/warehouses/paris/settings', {
          body: { safetyStock: -1 },
        }),
        400,
        'VALIDATION_FAILED',
      );
    });

    it('a cart over its limit gets 422 CART_LIMIT_EXCEEDED with the limit; within it, a hold', async () => {
      await restock(server(), 'SELL-CAP', 'paris', 20);
      const unset = await server().call('GET', '/api/v1/inventory/SELL-CAP/policy', {
        as: 'storefront',
      });
      expect(unset.status, unset.text).toBe(200);
      expect(unset.body).toEqual({
        sku: 'SELL-CAP',
        minPerCart: null,
        maxPerCart: null,
        allowPreorder: false,
        backorderPolicy: 'DENY',
        backorderLimit: null,
        stored: false,
        version: 0,
        updatedAt: null,
      });
      const set = await server().call('PUT', '/api/v1/inventory/SELL-CAP/policy', {
        body: { maxPerCart: 2 },
      });
      expect(set.status, set.text).toBe(200);
      expect(set.body).toEqual({
        sku: 'SELL-CAP',
        minPerCart: null,
        maxPerCart: 2,
        allowPreorder: false,
        backorderPolicy: 'DENY',
        backorderLimit: null,
        stored: true,
        version: 1,
        updatedAt: server().clock.now().toISOString(),
      });
      const over = await reserve(server(), {
        items: [
          { sku: 'SELL-CAP', quantity: 2 },
          { sku: 'SELL-CAP', quantity: 1, warehouseId: 'paris' },
        ],
      });
      expectProblem(over, 422, 'CART_LIMIT_EXCEEDED');
      expect(over.body.cartLimit).toEqual({
        sku: 'SELL-CAP',
        limit: 'MAX',
        value: 2,
        requested: 3,
      });
      expect(await rowOf(server(), 'SELL-CAP', 'paris')).toMatchObject({
        available: 20,
        reserved: 0,
      });
      expect((await reserve(server(), { items: [{ sku: 'SELL-CAP', quantity: 2 }] })).status).toBe(
        201,
      );
      expectProblem(
        await server().call('PUT', '/api/v1/inventory/SELL-CAP/policy', {
          body: { minPerCart: 3 },
        }),
        400,
        'VALIDATION_FAILED',
      );
      expectProblem(
        await server().call('PUT', '/api/v1/inventory/SELL-CAP/policy', {
          body: { maxPerCart: 5, expectedVersion: 7 },
        }),
        409,
        'VERSION_CONFLICT',
      );
      expectProblem(
        await server().call('PUT', '/api/v1/inventory/SELL-CAP/policy', {
          as: 'storefront',
          body: { maxPerCart: 50 },
        }),
        403,
        'FORBIDDEN',
      );
      expectProblem(
        await server().call('GET', '/api/v1/inventory/%20bad/policy', { as: 'storefront' }),
        400,
        'VALIDATION_FAILED',
      );
      const removed = await server().call('DELETE', '/api/v1/inventory/SELL-CAP/policy');
      expect(removed.status, removed.text).toBe(200);
      expect(removed.body).toMatchObject({ stored: false, maxPerCart: null, version: 0 });
      expectProblem(
        await server().call('DELETE', '/api/v1/inventory/SELL-CAP/policy', { as: 'storefront' }),
        403,
        'FORBIDDEN',
      );
      expect((await reserve(server(), { items: [{ sku: 'SELL-CAP', quantity: 3 }] })).status).toBe(
        201,
      );
    });
  });
}
