import { describe, expect, it } from 'vitest';
import type { TestServer } from '../support.js';
import { expectProblem, reserve, restock, rowOf } from './helpers.js';

/** /kits, and kit SKUs in checks, cart checks and reservations. */
export function kitTests(server: () => TestServer): void {
  describe('kits and bundles', () => {
    const check = async (sku: string, quantity: number) => {
      const answer = await server().call(
        'GET',
        `/api/v1/inventory/check?sku=${sku}&quantity=${quantity}`,
        { as: 'storefront' },
      );
      expect(answer.status, answer.text).toBe(200);
      return answer.body;
    };

    it('defines, lists, reads and deletes kits, refusing stocked SKUs, bad bodies and non-admins', async () => {
      await restock(server(), 'KIT-MUG', 'paris', 4);
      await restock(server(), 'KIT-TEA', 'paris', 2);
      await restock(server(), 'KIT-MUG', 'berlin', 1);
      const defined = await server().call('PUT', '/api/v1/kits/KIT-BOX', {
        body: {
          components: [
            { sku: 'KIT-TEA', quantity: 1 },
            { sku: 'KIT-MUG', quantity: 2 },
          ],
        },
      });
      expect(defined.status, defined.text).toBe(200);
      expect(defined.body).toEqual({
        sku: 'KIT-BOX',
        components: [
          { sku: 'KIT-MUG', quantity: 2 },
          { sku: 'KIT-TEA', quantity: 1 },
        ],
        shipping: 'SINGLE_WAREHOUSE',
        version: 1,
        createdAt: server().clock.now().toISOString(),
        updatedAt: server().clock.now().toISOString(),
      });
      const spare = await server().call('PUT', '/api/v1/kits/KIT-SPARE', {
        body: { components: [{ sku: 'KIT-MUG', quantity: 1 }], shipping: 'SPLIT' },
      });
      expect(spare.status, spare.text).toBe(200);
      expectProblem(
        await server().call('PUT', '/api/v1/kits/KIT-MUG', {
          body: { components: [{ sku: 'KIT-TEA', quantity: 1 }] },
        }),
        409,
        'KIT_NOT_STOCKABLE',
      );
      expectProblem(
        await server().call('PUT', '/api/v1/kits/KIT-BOX', {
          body: { components: [{ sku: 'KIT-TEA', quantity: 1 }], expectedVersion: 7 },
        }),
        409,
        'VERSION_CONFLICT',
      );
      const bad = await server().call('PUT', '/api/v1/kits/KIT-X', {
        body: { components: [], shipping: 'BOTH' },
      });
      expectProblem(bad, 400, 'VALIDATION_FAILED');
      expect(bad.body.errors.map((error: { path: string }) => error.path).sort()).toEqual([
        'components',
        'shipping',
      ]);
      expectProblem(
        await server().call('PUT', '/api/v1/kits/KIT-Y', {
          as: 'storefront',
          body: { components: [{ sku: 'KIT-MUG', quantity: 1 }] },
        }),
        403,
        'FORBIDDEN',
      );
      const list = await server().call('GET', '/api/v1/kits', { as: 'readonly' });
      expect(list.status).toBe(200);
      expect(list.body.items.map((kit: { sku: string }) => kit.sku)).toEqual([
        'KIT-BOX',
        'KIT-SPARE',
      ]);
      expectProblem(await server().call('GET', '/api/v1/kits?limit=1'), 400, 'VALIDATION_FAILED');
      expect((await server().call('GET', '/api/v1/kits/KIT-SPARE')).body.shipping).toBe('SPLIT');
      expectProblem(await server().call('GET', '/api/v1/kits/KIT-NONE'), 404, 'NOT_FOUND');
      const deleted = await server().call('DELETE', '/api/v1/kits/KIT-SPARE');
      expect(deleted.status, deleted.text).toBe(200);
      expectProblem(await server().call('DELETE', '/api/v1/kits/KIT-SPARE'), 404, 'NOT_FOUND');
      expectProblem(
        await server().call('POST', '/api/v1/inventory/adjust', {
          body: { sku: 'KIT-BOX', warehouseId: 'paris', type: 'RESTOCK', quantity: 1 },
        }),
        409,
        'KIT_NOT_STOCKABLE',
      );
    });

    it('a kit whose component sells out shows unavailable in the very next check', async () => {
      // Paris: 4 mugs → 2 kits, 2 teas → 2 kits; Berlin has no tea.
      const before = await check('KIT-BOX', 2);
      expect(before).toMatchObject({ isAvailable: true, availableQuantity: 2 });
      expect(before.warehouses).toEqual([
        { warehouseId: 'paris', warehouseName: 'Paris', availableQuantity: 2 },
      ]);
      expect(before.kit).toEqual({
        shipping: 'SINGLE_WAREHOUSE',
        components: [
          { sku: 'KIT-MUG', quantity: 2 },
          { sku: 'KIT-TEA', quantity: 1 },
        ],
      });
      const teas = await reserve(server(), { items: [{ sku: 'KIT-TEA', quantity: 2 }] });
      expect(teas.status, teas.text).toBe(201);
      const after = await check('KIT-BOX', 1);
      expect(after).toMatchObject({ isAvailable: false, availableQuantity: 0, warehouses: [] });
      const cart = await server().call('POST', '/api/v1/inventory/check-cart', {
        as: 'storefront',
        body: { items: [{ sku: 'KIT-BOX', quantity: 1 }] },
      });
      expect(cart.status, cart.text).toBe(200);
      expect(cart.body).toMatchObject({
        isAvailable: false,
        allocations: [],
        lines: [{ sku: 'KIT-BOX', availableQuantity: 0, isAvailable: false }],
      });
      expectProblem(
        await reserve(server(), { items: [{ sku: 'KIT-BOX', quantity: 1 }] }),
        409,
        'INSUFFICIENT_STOCK',
      );
      const released = await server().call(
        'POST',
        `/api/v1/reservations/${teas.body.reservationId}/release`,
        { as: 'storefront' },
      );
      expect(released.status, released.text).toBe(200);
      expect(await check('KIT-BOX', 2)).toMatchObject({ isAvailable: true, availableQuantity: 2 });
    });

    it('reserves a kit with a plain item of a component: component lines carrying the kit, summed', async () => {
      const hold = await reserve(server(), {
        items: [
          { sku: 'KIT-BOX', quantity: 1 },
          { sku: 'KIT-MUG', quantity: 2 },
        ],
        orderId: 'kit-order',
      });
      expect(hold.status, hold.text).toBe(201);
      // The kit takes Paris (Berlin has no tea); the plain mugs take what the kit left.
      expect(hold.body.allocations).toEqual([
        { sku: 'KIT-MUG', warehouseId: 'berlin', quantity: 1 },
        { sku: 'KIT-MUG', warehouseId: 'paris', quantity: 1 },
        { sku: 'KIT-MUG', warehouseId: 'paris', quantity: 2, kitSku: 'KIT-BOX' },
        { sku: 'KIT-TEA', warehouseId: 'paris', quantity: 1, kitSku: 'KIT-BOX' },
      ]);
      expect(await rowOf(server(), 'KIT-MUG', 'paris')).toMatchObject({
        available: 1,
        reserved: 3,
      });
      // One mug is left: a second kit (two mugs) is short, the shortfall summing every unit.
      const short = await reserve(server(), {
        items: [
          { sku: 'KIT-BOX', quantity: 1 },
          { sku: 'KIT-MUG', quantity: 1 },
        ],
      });
      expectProblem(short, 409, 'INSUFFICIENT_STOCK');
      const committed = await server().call(
        'POST',
        `/api/v1/reservations/${hold.body.reservationId}/commit`,
        { as: 'storefront' },
      );
      expect(committed.status, committed.text).toBe(200);
      expect(await rowOf(server(), 'KIT-TEA', 'paris')).toMatchObject({
        available: 1,
        reserved: 0,
      });
    });
  });
}
