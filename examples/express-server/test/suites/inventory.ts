import { describe, expect, it } from 'vitest';
import { PROBLEM_TYPES } from '../../src/problem-details.js';
import type { TestServer } from '../support.js';
import { expectProblem, restock, rowOf, stockOf } from './helpers.js';

/** /inventory. */
export function inventoryTests(server: () => TestServer): void {
  describe('inventory: adjust and settings', () => {
    it('RESTOCK creates the row and answers the row and its movement', async () => {
      const answer = await server().call('POST', '/api/v1/inventory/adjust', {
        body: {
          sku: 'INV-1',
          warehouseId: 'paris',
          type: 'RESTOCK',
          quantity: 30,
          reason: 'delivery 42',
        },
      });
      expect(answer.status).toBe(200);
      expect(answer.body.stock).toMatchObject({
        sku: 'INV-1',
        warehouseId: 'paris',
        available: 30,
        reserved: 0,
        damaged: 0,
        inTransit: 0,
        total: 30,
        lowStockThreshold: 10,
        reorderPoint: 20,
        maxStockLevel: null,
        version: 1,
        lastRestockedAt: '2026-03-01T09:00:00.000Z',
        lastSoldAt: null,
      });
      expect(answer.body.movement).toMatchObject({
        id: expect.stringMatching(/^mov_/),
        sku: 'INV-1',
        warehouseId: 'paris',
        type: 'RESTOCK',
        deltas: { available: 30, reserved: 0, damaged: 0, inTransit: 0, backordered: 0 },
        after: { available: 30, reserved: 0, damaged: 0, inTransit: 0, backordered: 0 },
        reason: 'delivery 42',
        actor: expect.stringMatching(/^api-key:key_/),
        reservationId: null,
        orderId: null,
        transferId: null,
      });
    });

    it('RESTOCK into an unknown warehouse is 404 and creates nothing', async () => {
      const answer = await server().call('POST', '/api/v1/inventory/adjust', {
        body: { sku: 'INV-GHOST', warehouseId: 'atlantis', type: 'RESTOCK', quantity: 1 },
      });
      expectProblem(answer, 404, 'NOT_FOUND');
      expect(await stockOf(server(), 'INV-GHOST')).toBeNull();
    });

    it('DAMAGE moves available to damaged; taking more than available is 409 INSUFFICIENT_STOCK', async () => {
      const damaged = await server().call('POST', '/api/v1/inventory/adjust', {
        body: { sku: 'INV-1', warehouseId: 'paris', type: 'DAMAGE', quantity: 2 },
      });
      expect(damaged.status).toBe(200);
      expect(damaged.body.stock).toMatchObject({
        available: 28,
        damaged: 2,
        total: 30,
        version: 2,
      });
      const tooMuch = await server().call('POST', '/api/v1/inventory/adjust', {
        body: { sku: 'INV-1', warehouseId: 'paris', type: 'DAMAGE', quantity: 29 },
      });
      expectProblem(tooMuch, 409, 'INSUFFICIENT_STOCK');
      expect(tooMuch.body.shortfalls).toEqual([{ sku: 'INV-1', requested: 29, available: 28 }]);
      expect(await rowOf(server(), 'INV-1', 'paris')).toMatchObject({
        available: 28,
        damaged: 2,
        version: 2,
      });
    });

    it('ADJUSTMENT takes a signed quantity; RETURN adds; expectedVersion guards (409 VERSION_CONFLICT)', async () => {
      const down = await server().call('POST', '/api/v1/inventory/adjust', {
        body: {
          sku: 'INV-1',
          warehouseId: 'paris',
          type: 'ADJUSTMENT',
          quantity: -3,
          expectedVersion: 2,
        },
      });
      expect(down.status).toBe(200);
      expect(down.body.stock).toMatchObject({ available: 25, version: 3 });
      const stale = await server().call('POST', '/api/v1/inventory/adjust', {
        body: {
          sku: 'INV-1',
          warehouseId: 'paris',
          type: 'RETURN',
          quantity: 1,
          expectedVersion: 2,
        },
      });
      expectProblem(stale, 409, 'VERSION_CONFLICT');
      const returned = await server().call('POST', '/api/v1/inventory/adjust', {
        body: {
          sku: 'INV-1',
          warehouseId: 'paris',
          type: 'RETURN',
          quantity: 1,
          expectedVersion: 3,
        },
      });
      expect(returned.body.stock).toMatchObject({ available: 26, version: 4 });
    });

    it('settings change threshold, reorder point and max; going over max is 409 CAPACITY_EXCEEDED', async () => {
      const settings = await server().call(
        'PUT',
        '/api/v1/inventory/INV-1/warehouses/paris/settings',
        {
          body: { lowStockThreshold: 5, reorderPoint: 8, maxStockLevel: 40 },
        },
      );
      expect(settings.status).toBe(200);
      expect(settings.body).toMatchObject({
        sku: 'INV-1',
        warehouseId: 'paris',
        lowStockThreshold: 5,
        reorderPoint: 8,
        maxStockLevel: 40,
        version: 4,
      });
      const over = await server().call('POST', '/api/v1/inventory/adjust', {
        body: { sku: 'INV-1', warehouseId: 'paris', type: 'RESTOCK', quantity: 20 },
      });
      expectProblem(over, 409, 'CAPACITY_EXCEEDED');
      expect(await rowOf(server(), 'INV-1', 'paris')).toMatchObject({ available: 26, total: 28 });
      const cleared = await server().call(
        'PUT',
        '/api/v1/inventory/INV-1/warehouses/paris/settings',
        {
          body: { maxStockLevel: null },
        },
      );
      expect(cleared.body.maxStockLevel).toBeNull();
      expectProblem(
        await server().call('PUT', '/api/v1/inventory/INV-1/warehouses/atlantis/settings', {
          body: { reorderPoint: 1 },
        }),
        404,
        'NOT_FOUND',
      );
    });

    it('a warehouse over its capacity is 409 CAPACITY_EXCEEDED', async () => {
      await server().call('POST', '/api/v1/warehouses', {
        body: { id: 'tiny', name: 'Tiny', capacity: 10, status: 'INACTIVE' },
      });
      await restock(server(), 'INV-TINY', 'tiny', 8);
      const over = await server().call('POST', '/api/v1/inventory/adjust', {
        body: { sku: 'INV-TINY-2', warehouseId: 'tiny', type: 'RESTOCK', quantity: 3 },
      });
      expectProblem(over, 409, 'CAPACITY_EXCEEDED');
    });
  });

  describe('inventory: reads', () => {
    it('checks availability: ACTIVE warehouses with stock, nearest first with coordinates', async () => {
      await restock(server(), 'INV-CHECK', 'paris', 4);
      await restock(server(), 'INV-CHECK', 'berlin', 6);
      await restock(server(), 'INV-CHECK', 'tiny', 2);
      const plain = await server().call('GET', '/api/v1/inventory/check?sku=INV-CHECK&quantity=9', {
        as: 'readonly',
      });
      expect(plain.status).toBe(200);
      expect(plain.body).toEqual({
        sku: 'INV-CHECK',
        requestedQuantity: 9,
        isAvailable: true,
        wouldBackorder: false,
        backorderedQuantity: 0,
        availableQuantity: 10,
        warehouses: [
          { warehouseId: 'berlin', warehouseName: 'Berlin', availableQuantity: 6 },
          { warehouseId: 'paris', warehouseName: 'Paris', availableQuantity: 4 },
        ],
      });
      // From Brussels: Paris (≈264 km) before Berlin (≈650 km).
      const near = await server().call(
        'GET',
        '/api/v1/inventory/check?sku=INV-CHECK&quantity=11&latitude=50.85&longitude=4.35',
      );
      expect(near.body.isAvailable).toBe(false);
      expect(near.body.warehouses.map((line: { warehouseId: string }) => line.warehouseId)).toEqual(
        ['paris', 'berlin'],
      );
      expect(near.body.warehouses[0].distanceKm).toBeGreaterThan(250);
      expect(near.body.warehouses[0].distanceKm).toBeLessThan(280);
      const unknown = await server().call(
        'GET',
        '/api/v1/inventory/check?sku=NO-SUCH-SKU&quantity=1',
      );
      expect(unknown.status).toBe(200);
      expect(unknown.body).toEqual({
        sku: 'NO-SUCH-SKU',
        requestedQuantity: 1,
        isAvailable: false,
        wouldBackorder: false,
        backorderedQuantity: 0,
        availableQuantity: 0,
        warehouses: [],
      });
      const half = await server().call(
        'GET',
        '/api/v1/inventory/check?sku=INV-CHECK&quantity=1&latitude=50',
      );
      expectProblem(half, 400, 'VALIDATION_FAILED');
      expect(half.body.errors).toEqual([
        { path: 'longitude', message: 'latitude and longitude go together' },
      ]);
    });

    it('answers a SKU’s totals and rows; 404 for a SKU without rows', async () => {
      const stock = await server().call('GET', '/api/v1/inventory/INV-CHECK');
      expect(stock.status).toBe(200);
      expect(stock.body).toMatchObject({
        sku: 'INV-CHECK',
        available: 12,
        reserved: 0,
        damaged: 0,
        inTransit: 0,
        total: 12,
      });
      expect(stock.body.warehouses.map((row: { warehouseId: string }) => row.warehouseId)).toEqual([
        'berlin',
        'paris',
        'tiny',
      ]);
      expectProblem(await server().call('GET', '/api/v1/inventory/NO-SUCH-SKU'), 404, 'NOT_FOUND');
    });

    it('rebuilds a SKU’s quantities at an instant from the ledger (asOf)', async () => {
      const clock = server().clock;
      await restock(server(), 'INV-ASOF', 'paris', 10);
      const first = clock.now().toISOString();
      clock.advance(60_000);
      await restock(server(), 'INV-ASOF', 'paris', 5);
      await restock(server(), 'INV-ASOF', 'berlin', 3);
      const then = await server().call(
        'GET',
        `/api/v1/inventory/INV-ASOF?asOf=${encodeURIComponent(first)}`,
      );
      expect(then.status).toBe(200);
      expect(then.body).toMatchObject({ sku: 'INV-ASOF', available: 10, total: 10 });
      expect(then.body.warehouses).toHaveLength(1);
      const now = await server().call('GET', '/api/v1/inventory/INV-ASOF');
      expect(now.body).toMatchObject({ available: 18, total: 18 });
      expectProblem(
        await server().call('GET', '/api/v1/inventory/INV-ASOF?asOf=2000-01-01T00:00:00Z'),
        404,
        'NOT_FOUND',
      );
      expectProblem(
        await server().call('GET', '/api/v1/inventory/INV-ASOF?asOf=yesterday'),
        400,
        'VALIDATION_FAILED',
      );
    });

    it('lists a warehouse’s rows by SKU, paged; 404 for an unknown warehouse', async () => {
      const first = await server().call(
        'GET',
        '/api/v1/inventory/warehouses/berlin/stock?limit=1',
        { as: 'readonly' },
      );
      expect(first.status).toBe(200);
      expect(first.body.items).toHaveLength(1);
      const skus: string[] = [first.body.items[0].sku];
      let cursor = first.body.nextCursor;
      while (cursor) {
        const page = await server().call(
          'GET',
          `/api/v1/inventory/warehouses/berlin/stock?limit=1&cursor=${cursor}`,
        );
        skus.push(...page.body.items.map((row: { sku: string }) => row.sku));
        cursor = page.body.nextCursor;
      }
      expect(skus).toEqual([...skus].sort());
      expect(skus).toEqual(expect.arrayContaining(['INV-ASOF', 'INV-CHECK']));
      expectProblem(
        await server().call('GET', '/api/v1/inventory/warehouses/atlantis/stock'),
        404,
        'NOT_FOUND',
      );
    });

    it('lists low-stock rows (available <= threshold), optionally of one warehouse', async () => {
      await restock(server(), 'INV-LOW', 'madrid', 3);
      const all = await server().call('GET', '/api/v1/inventory/low-stock', { as: 'readonly' });
      expect(all.status).toBe(200);
      const keys = all.body.items.map(
        (row: { sku: string; warehouseId: string }) => `${row.sku}@${row.warehouseId}`,
      );
      expect(keys).toEqual(expect.arrayContaining(['INV-LOW@madrid', 'INV-CHECK@paris']));
      for (const row of all.body.items)
        expect(row.available).toBeLessThanOrEqual(row.lowStockThreshold);
      const madrid = await server().call('GET', '/api/v1/inventory/low-stock?warehouseId=madrid');
      expect(
        madrid.body.items.every((row: { warehouseId: string }) => row.warehouseId === 'madrid'),
      ).toBe(true);
      expectProblem(
        await server().call('GET', '/api/v1/inventory/low-stock?warehouse=madrid'),
        400,
        'VALIDATION_FAILED',
      );
    });

    it('lists a SKU’s movements newest first, by warehouse, paged', async () => {
      const all = await server().call('GET', '/api/v1/inventory/INV-1/movements', {
        as: 'readonly',
      });
      expect(all.status).toBe(200);
      expect(all.body.items.map((movement: { type: string }) => movement.type)).toEqual([
        'RETURN',
        'ADJUSTMENT',
        'DAMAGE',
        'RESTOCK',
      ]);
      expect(all.body.nextCursor).toBeNull();
      const page = await server().call('GET', '/api/v1/inventory/INV-1/movements?limit=3');
      expect(page.body.items).toHaveLength(3);
      const rest = await server().call(
        'GET',
        `/api/v1/inventory/INV-1/movements?limit=3&cursor=${page.body.nextCursor}`,
      );
      expect(rest.body.items.map((movement: { type: string }) => movement.type)).toEqual([
        'RESTOCK',
      ]);
      const berlin = await server().call(
        'GET',
        '/api/v1/inventory/INV-ASOF/movements?warehouseId=berlin',
      );
      expect(berlin.body.items).toHaveLength(1);
      expect(berlin.body.items[0]).toMatchObject({
        warehouseId: 'berlin',
        type: 'RESTOCK',
        deltas: { available: 3 },
      });
      expectProblem(
        await server().call('GET', '/api/v1/inventory/INV-1/movements?limit=0'),
        400,
        'VALIDATION_FAILED',
      );
    });
  });

  describe('inventory: bulk update', () => {
    it('sets rows item by item, reporting failures with their codes', async () => {
      await restock(server(), 'BULK-0', 'berlin', 9);
      const answer = await server().call('POST', '/api/v1/inventory/bulk-update', {
        body: {
          mode: 'set',
          items: [
            { sku: 'BULK-1', warehouseId: 'paris', quantity: 50 },
            { sku: 'BULK-2', warehouseId: 'atlantis', quantity: 5 },
            { sku: 'BULK-0', warehouseId: 'berlin', quantity: 0 },
          ],
        },
      });
      expect(answer.status).toBe(200);
      expect(answer.body.applied).toBe(2);
      expect(answer.body.failed).toEqual([
        { index: 1, code: 'NOT_FOUND', detail: expect.any(String) },
      ]);
      expect(await rowOf(server(), 'BULK-1', 'paris')).toMatchObject({ available: 50 });
      expect(await rowOf(server(), 'BULK-0', 'berlin')).toMatchObject({ available: 0, version: 2 });
      const movements = await server().call('GET', '/api/v1/inventory/BULK-0/movements?limit=1');
      expect(movements.body.items[0]).toMatchObject({
        type: 'ADJUSTMENT',
        deltas: { available: -9 },
      });
    });

    it('applies signed deltas', async () => {
      const answer = await server().call('POST', '/api/v1/inventory/bulk-update', {
        body: {
          mode: 'delta',
          atomic: true,
          items: [
            { sku: 'BULK-1', warehouseId: 'paris', quantity: -20 },
            { sku: 'BULK-3', warehouseId: 'berlin', quantity: 7 },
          ],
        },
      });
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ applied: 2, failed: [] });
      expect(await rowOf(server(), 'BULK-1', 'paris')).toMatchObject({ available: 30 });
      expect(await rowOf(server(), 'BULK-3', 'berlin')).toMatchObject({ available: 7 });
    });

    it('atomic with a failure: the first failure’s code, with its status, and every failure; nothing applied', async () => {
      const answer = await server().call('POST', '/api/v1/inventory/bulk-update', {
        body: {
          mode: 'delta',
          atomic: true,
          items: [
            { sku: 'BULK-1', warehouseId: 'paris', quantity: 5 },
            { sku: 'BULK-3', warehouseId: 'berlin', quantity: -8 },
            { sku: 'BULK-4', warehouseId: 'atlantis', quantity: 1 },
          ],
        },
      });
      const first = answer.body.failed?.[0]?.code as keyof typeof PROBLEM_TYPES;
      expectProblem(answer, PROBLEM_TYPES[first].status, first);
      expect(
        answer.body.failed
          .map((failure: { index: number; code: string }) => [failure.index, failure.code])
          .sort(),
      ).toEqual([
        [1, 'INSUFFICIENT_STOCK'],
        [2, 'NOT_FOUND'],
      ]);
      expect(answer.body.code).toBe(answer.body.failed[0].code);
      expect(await rowOf(server(), 'BULK-1', 'paris')).toMatchObject({ available: 30 });
      expect(await rowOf(server(), 'BULK-3', 'berlin')).toMatchObject({ available: 7 });
    });

    it('takes bodies over 1 MiB (up to 16 MiB) and refuses more than 10,000 items', async () => {
      const padding = 'P'.repeat(100);
      const items = Array.from({ length: 10_000 }, (_, index) => ({
        sku: `BULK-${padding}-${index}`,
        warehouseId: 'atlantis',
        quantity: 1,
      }));
      const big = await server().call('POST', '/api/v1/inventory/bulk-update', {
        body: { mode: 'set', items },
      });
      expect(big.text.length).toBeGreaterThan(0);
      expect(JSON.stringify({ mode: 'set', items }).length).toBeGreaterThan(1024 * 1024);
      expect(big.status).toBe(200);
      expect(big.body.applied).toBe(0);
      expect(big.body.failed).toHaveLength(10_000);
      const tooMany = await server().call('POST', '/api/v1/inventory/bulk-update', {
        body: {
          mode: 'set',
          items: [...items, { sku: 'ONE-MORE', warehouseId: 'paris', quantity: 1 }],
        },
      });
      expectProblem(tooMany, 400, 'VALIDATION_FAILED');
      const huge = await server().call('POST', '/api/v1/inventory/bulk-update', {
        raw: JSON.stringify({ mode: 'set', items: [], padding: 'x'.repeat(16 * 1024 * 1024) }),
        headers: { 'content-type': 'application/json' },
      });
      expectProblem(huge, 413, 'PAYLOAD_TOO_LARGE');
    });
  });
}
