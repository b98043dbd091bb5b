import { describe, expect, it } from 'vitest';
import type { TestServer } from '../support.js';
import { expectProblem, restock, rowOf } from './helpers.js';

/** /transfers. */
export function transferTests(server: () => TestServer): void {
  describe('transfers', () => {
    it('creates, ships and receives: TRANSFER_OUT at the source, inTransit then available at the destination', async () => {
      await restock(server(), 'TRF-1', 'paris', 20);
      const created = await server().call('POST', '/api/v1/transfers', {
        body: { sku: 'TRF-1', fromWarehouseId: 'paris', toWarehouseId: 'madrid', quantity: 8 },
      });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({
        id: expect.stringMatching(/^trf_/),
        sku: 'TRF-1',
        fromWarehouseId: 'paris',
        toWarehouseId: 'madrid',
        quantity: 8,
        status: 'INITIATED',
        createdAt: server().clock.now().toISOString(),
        shippedAt: null,
        receivedAt: null,
        cancelledAt: null,
      });
      const id = created.body.id;
      expect(await rowOf(server(), 'TRF-1', 'paris')).toMatchObject({ available: 20 });
      const shipped = await server().call('POST', `/api/v1/transfers/${id}/ship`);
      expect(shipped.status).toBe(200);
      expect(shipped.body).toMatchObject({
        status: 'IN_TRANSIT',
        shippedAt: server().clock.now().toISOString(),
      });
      expect(await rowOf(server(), 'TRF-1', 'paris')).toMatchObject({ available: 12, total: 12 });
      expect(await rowOf(server(), 'TRF-1', 'madrid')).toMatchObject({
        available: 0,
        inTransit: 8,
        total: 8,
      });
      const shippedAgain = await server().call('POST', `/api/v1/transfers/${id}/ship`);
      expect(shippedAgain.status).toBe(200);
      expect(shippedAgain.body).toEqual(shipped.body);
      expect(await rowOf(server(), 'TRF-1', 'paris')).toMatchObject({ available: 12 });
      expectProblem(
        await server().call('POST', `/api/v1/transfers/${id}/cancel`),
        409,
        'INVALID_STATE',
      );
      const received = await server().call('POST', `/api/v1/transfers/${id}/receive`, { body: {} });
      expect(received.status).toBe(200);
      expect(received.body).toMatchObject({
        status: 'RECEIVED',
        receivedAt: server().clock.now().toISOString(),
      });
      expect(await rowOf(server(), 'TRF-1', 'madrid')).toMatchObject({
        available: 8,
        inTransit: 0,
        total: 8,
      });
      const receivedAgain = await server().call('POST', `/api/v1/transfers/${id}/receive`);
      expect(receivedAgain.body).toEqual(received.body);
      const movements = await server().call('GET', '/api/v1/inventory/TRF-1/movements');
      expect(
        movements.body.items.map(
          (movement: { type: string; warehouseId: string }) =>
            `${movement.type}@${movement.warehouseId}`,
        ),
      ).toEqual([
        'TRANSFER_IN@madrid',
        'TRANSFER_IN@madrid',
        'TRANSFER_OUT@paris',
        'RESTOCK@paris',
      ]);
      expect(movements.body.items[0].transferId).toBe(id);
    });

    it('cancels an INITIATED transfer; receiving it is then 409', async () => {
      const created = await server().call('POST', '/api/v1/transfers', {
        body: { sku: 'TRF-1', fromWarehouseId: 'paris', toWarehouseId: 'berlin', quantity: 2 },
      });
      const cancelled = await server().call('POST', `/api/v1/transfers/${created.body.id}/cancel`);
      expect(cancelled.status).toBe(200);
      expect(cancelled.body).toMatchObject({
        status: 'CANCELLED',
        cancelledAt: server().clock.now().toISOString(),
      });
      expectProblem(
        await server().call('POST', `/api/v1/transfers/${created.body.id}/receive`),
        409,
        'INVALID_STATE',
      );
      expectProblem(
        await server().call('POST', `/api/v1/transfers/${created.body.id}/ship`),
        409,
        'INVALID_STATE',
      );
      expect(await rowOf(server(), 'TRF-1', 'paris')).toMatchObject({ available: 12 });
    });

    it('refuses the same warehouse (400), too little stock (409), unknown warehouses and transfers (404)', async () => {
      const same = await server().call('POST', '/api/v1/transfers', {
        body: { sku: 'TRF-1', fromWarehouseId: 'paris', toWarehouseId: 'paris', quantity: 1 },
      });
      expectProblem(same, 400, 'VALIDATION_FAILED');
      expect(same.body.errors).toEqual([
        { path: 'toWarehouseId', message: 'must differ from fromWarehouseId' },
      ]);
      const short = await server().call('POST', '/api/v1/transfers', {
        body: { sku: 'TRF-1', fromWarehouseId: 'paris', toWarehouseId: 'berlin', quantity: 13 },
      });
      expectProblem(short, 409, 'INSUFFICIENT_STOCK');
      expect(short.body.shortfalls).toEqual([{ sku: 'TRF-1', requested: 13, available: 12 }]);
      expectProblem(
        await server().call('POST', '/api/v1/transfers', {
          body: { sku: 'TRF-1', fromWarehouseId: 'paris', toWarehouseId: 'atlantis', quantity: 1 },
        }),
        404,
        'NOT_FOUND',
      );
      expectProblem(await server().call('GET', '/api/v1/transfers/trf_unknown'), 404, 'NOT_FOUND');
      expectProblem(
        await server().call('POST', '/api/v1/transfers/trf_unknown/ship'),
        404,
        'NOT_FOUND',
      );
    });

    it('lists transfers newest first, by status and warehouse, and reads one', async () => {
      const all = await server().call('GET', '/api/v1/transfers', { as: 'readonly' });
      expect(all.status).toBe(200);
      expect(all.body.items.map((transfer: { status: string }) => transfer.status)).toEqual([
        'CANCELLED',
        'RECEIVED',
      ]);
      const received = await server().call('GET', '/api/v1/transfers?status=RECEIVED');
      expect(received.body.items).toHaveLength(1);
      const berlin = await server().call('GET', '/api/v1/transfers?warehouseId=berlin&limit=10');
      expect(
        berlin.body.items.map((transfer: { toWarehouseId: string }) => transfer.toWarehouseId),
      ).toEqual(['berlin']);
      const one = await server().call('GET', `/api/v1/transfers/${received.body.items[0].id}`, {
        as: 'storefront',
      });
      expect(one.body).toEqual(received.body.items[0]);
      expectProblem(
        await server().call('GET', '/api/v1/transfers?status=LOST'),
        400,
        'VALIDATION_FAILED',
      );
    });
  });
}
