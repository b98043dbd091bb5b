import { describe, expect, it } from 'vitest';
import { apiRoutes } from '../../src/app.js';
import type { Caller, TestServer } from '../support.js';
import { expectProblem, restock, rowOf, stockOf } from './helpers.js';

/** Auth, roles, idempotency, unknown routes. */
export function authAndIdempotencyTests(server: () => TestServer): void {
  describe('auth and roles', () => {
    it('answers 401 without a key or with an unknown one', async () => {
      const none = await server().call('GET', '/api/v1/warehouses', { as: 'none' });
      expectProblem(none, 401, 'UNAUTHORIZED');
      expect(none.headers.get('www-authenticate')).toBe('Bearer realm="stockroom"');
      expectProblem(
        await server().call('GET', '/api/v1/warehouses', { as: 'bogus' }),
        401,
        'UNAUTHORIZED',
      );
      expectProblem(
        await server().call('GET', '/api/v1/warehouses', {
          as: 'none',
          headers: { authorization: 'Basic YWRtaW46YWRtaW4=' },
        }),
        401,
        'UNAUTHORIZED',
      );
    });

    it('serves the operations endpoints without a key', async () => {
      expect((await server().call('GET', '/healthz', { as: 'none' })).body).toEqual({
        status: 'ok',
      });
      const ready = await server().call('GET', '/readyz', { as: 'none' });
      expect(ready.status).toBe(200);
      expect(ready.body).toEqual({ status: 'ready' });
      const detailed = await server().call('GET', '/readyz', { as: 'admin' });
      expect(detailed.body.components.store.status).toBe('up');
      const metrics = await server().call('GET', '/metrics', { as: 'none' });
      expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(metrics.text).toContain('http_request_duration_seconds_bucket');
      expect((await server().call('GET', '/openapi.json', { as: 'none' })).body.openapi).toBe(
        '3.1.0',
      );
      const docs = await server().call('GET', '/docs', { as: 'none' });
      expect(docs.headers.get('content-type')).toMatch(/^text\/html/);
    });

    it('gives every route exactly the roles of the contract (403 FORBIDDEN otherwise)', async () => {
      const routes = apiRoutes({
        stockroom: server().service.stockroom,
        jobs: server().service.jobs,
        metrics: server().service.metrics,
      });
      const callers: Caller[] = ['admin', 'storefront', 'readonly'];
      let refused = 0;
      for (const route of routes) {
        // Every GET is open to every role, except the admin area (the reconciliation report);
        // so is the whole-cart check, a read sent as a POST.
        const expected =
          (route.method === 'get' && !route.path.startsWith('/admin')) ||
          route.path === '/inventory/check-cart'
            ? callers
            : route.path.startsWith('/reservations') || route.path.startsWith('/orders')
              ? ['admin', 'storefront']
              : ['admin'];
        expect([...route.roles].sort(), `${route.method} ${route.path}`).toEqual(
          [...expected].sort(),
        );
        const path = `/api/v1${route.path.replace(/:[A-Za-z]+/g, 'X-1')}`;
        for (const caller of callers.filter((candidate) => !expected.includes(candidate))) {
          expectProblem(
            await server().call(route.method.toUpperCase(), path, {
              as: caller,
              ...(route.method === 'get' ? {} : { body: {} }),
            }),
            403,
            'FORBIDDEN',
          );
          refused += 1;
        }
      }
      // 39 before this wave; kit routes (4), PUT /reservations/:id/lines and the receipts' admin
      // POSTs (6) refuse readonly keys too.
      expect(refused).toBe(50);
    });

    it('lets the storefront reserve and read, but not adjust', async () => {
      await restock(server(), 'AUTH-1', 'paris', 5);
      const held = await server().call('POST', '/api/v1/reservations', {
        as: 'storefront',
        body: { items: [{ sku: 'AUTH-1', quantity: 1 }] },
      });
      expect(held.status).toBe(201);
      expect(
        (await server().call('GET', '/api/v1/inventory/AUTH-1', { as: 'storefront' })).status,
      ).toBe(200);
      expectProblem(
        await server().call('POST', '/api/v1/inventory/adjust', {
          as: 'storefront',
          body: { sku: 'AUTH-1', warehouseId: 'paris', type: 'RESTOCK', quantity: 1 },
        }),
        403,
        'FORBIDDEN',
      );
      expectProblem(
        await server().call('POST', '/api/v1/reservations', {
          as: 'readonly',
          body: { items: [{ sku: 'AUTH-1', quantity: 1 }] },
        }),
        403,
        'FORBIDDEN',
      );
      expect(await rowOf(server(), 'AUTH-1', 'paris')).toMatchObject({ available: 4, reserved: 1 });
    });

    it('answers unknown routes with 404 NOT_FOUND problems', async () => {
      expectProblem(await server().call('GET', '/api/v1/nothing-here'), 404, 'NOT_FOUND');
      expectProblem(await server().call('DELETE', '/api/v1/warehouses/paris'), 404, 'NOT_FOUND');
      expectProblem(await server().call('GET', '/nothing-here', { as: 'none' }), 404, 'NOT_FOUND');
      expect((await server().call('GET', '/api/v1/warehouses/paris')).status).toBe(200);
    });
  });

  describe('idempotency', () => {
    it('replays the first status and body with Idempotent-Replayed, changing nothing', async () => {
      await restock(server(), 'IDEM-1', 'paris', 10);
      const body = { items: [{ sku: 'IDEM-1', quantity: 2 }], orderId: 'idem-order' };
      const first = await server().call('POST', '/api/v1/reservations', {
        as: 'storefront',
        body,
        idempotencyKey: 'checkout-1',
      });
      expect(first.status).toBe(201);
      expect(first.headers.get('idempotent-replayed')).toBeNull();
      const replay = await server().call('POST', '/api/v1/reservations', {
        as: 'storefront',
        body,
        idempotencyKey: 'checkout-1',
      });
      expect(replay.status).toBe(201);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(replay.body).toEqual(first.body);
      expect(await rowOf(server(), 'IDEM-1', 'paris')).toMatchObject({ available: 8, reserved: 2 });
    });

    it('refuses the same key with another body, or on another endpoint (422 IDEMPOTENCY_KEY_REUSED)', async () => {
      const other = await server().call('POST', '/api/v1/reservations', {
        as: 'storefront',
        body: { items: [{ sku: 'IDEM-1', quantity: 3 }], orderId: 'idem-order' },
        idempotencyKey: 'checkout-1',
      });
      expectProblem(other, 422, 'IDEMPOTENCY_KEY_REUSED');
      const elsewhere = await server().call('POST', '/api/v1/orders/idem-order/cancel', {
        as: 'storefront',
        idempotencyKey: 'checkout-1',
      });
      expectProblem(elsewhere, 422, 'IDEMPOTENCY_KEY_REUSED');
      expect(await rowOf(server(), 'IDEM-1', 'paris')).toMatchObject({ available: 8, reserved: 2 });
    });

    it('scopes keys to the API key', async () => {
      const body = { items: [{ sku: 'IDEM-1', quantity: 2 }] };
      const asAdmin = await server().call('POST', '/api/v1/reservations', {
        as: 'admin',
        body,
        idempotencyKey: 'checkout-1',
      });
      expect(asAdmin.status).toBe(201);
      expect(asAdmin.headers.get('idempotent-replayed')).toBeNull();
      expect(await rowOf(server(), 'IDEM-1', 'paris')).toMatchObject({ available: 6, reserved: 4 });
    });

    it('replays commits, adjustments, transfers and warehouse creation', async () => {
      const adjust = {
        sku: 'IDEM-2',
        warehouseId: 'paris',
        type: 'RESTOCK',
        quantity: 5,
        reason: 'po-1',
      };
      const first = await server().call('POST', '/api/v1/inventory/adjust', {
        body: adjust,
        idempotencyKey: 'adjust-1',
      });
      const replay = await server().call('POST', '/api/v1/inventory/adjust', {
        body: adjust,
        idempotencyKey: 'adjust-1',
      });
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(replay.body).toEqual(first.body);
      const otherReason = await server().call('POST', '/api/v1/inventory/adjust', {
        body: { ...adjust, reason: 'po-2' },
        idempotencyKey: 'adjust-1',
      });
      expectProblem(otherReason, 422, 'IDEMPOTENCY_KEY_REUSED');
      expect(await rowOf(server(), 'IDEM-2', 'paris')).toMatchObject({ available: 5, version: 1 });

      const held = await server().call('POST', '/api/v1/reservations', {
        body: { items: [{ sku: 'IDEM-2', quantity: 1 }] },
      });
      const commit = await server().call(
        'POST',
        `/api/v1/reservations/${held.body.reservationId}/commit`,
        { idempotencyKey: 'commit-1' },
      );
      const commitReplay = await server().call(
        'POST',
        `/api/v1/reservations/${held.body.reservationId}/commit`,
        { idempotencyKey: 'commit-1' },
      );
      expect(commitReplay.headers.get('idempotent-replayed')).toBe('true');
      expect(commitReplay.body).toEqual(commit.body);

      const transfer = {
        sku: 'IDEM-2',
        fromWarehouseId: 'paris',
        toWarehouseId: 'berlin',
        quantity: 1,
      };
      const created = await server().call('POST', '/api/v1/transfers', {
        body: transfer,
        idempotencyKey: 'transfer-1',
      });
      const createdAgain = await server().call('POST', '/api/v1/transfers', {
        body: transfer,
        idempotencyKey: 'transfer-1',
      });
      expect(createdAgain.status).toBe(201);
      expect(createdAgain.body.id).toBe(created.body.id);
      const listed = await server().call('GET', '/api/v1/transfers?warehouseId=berlin&limit=1000');
      expect(
        listed.body.items.filter((item: { sku: string }) => item.sku === 'IDEM-2'),
      ).toHaveLength(1);

      const warehouse = { id: 'idem-wh', name: 'Idempotent' };
      expect(
        (
          await server().call('POST', '/api/v1/warehouses', {
            body: warehouse,
            idempotencyKey: 'wh-1',
          })
        ).status,
      ).toBe(201);
      const again = await server().call('POST', '/api/v1/warehouses', {
        body: warehouse,
        idempotencyKey: 'wh-1',
      });
      expect(again.status).toBe(201);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
    });

    it('replays the POSTs that are not one core command: acknowledge and job runs', async () => {
      const run = await server().call('POST', '/api/v1/admin/jobs/low-stock/run', {
        idempotencyKey: 'job-1',
      });
      const runAgain = await server().call('POST', '/api/v1/admin/jobs/low-stock/run', {
        idempotencyKey: 'job-1',
      });
      expect(runAgain.status).toBe(200);
      expect(runAgain.headers.get('idempotent-replayed')).toBe('true');
      expect(runAgain.body).toEqual(run.body);
      expectProblem(
        await server().call('POST', '/api/v1/admin/jobs/reconcile/run', {
          idempotencyKey: 'job-1',
        }),
        422,
        'IDEMPOTENCY_KEY_REUSED',
      );
      expectProblem(
        await server().call('POST', '/api/v1/reservations', {
          body: { items: [{ sku: 'IDEM-1', quantity: 1 }] },
          idempotencyKey: 'job-1',
        }),
        422,
        'IDEMPOTENCY_KEY_REUSED',
      );
      await restock(server(), 'IDEM-ALERT', 'paris', 2);
      const alerts = await server().call('GET', '/api/v1/alerts?status=TRIGGERED&limit=1000');
      const alert = alerts.body.items.find((item: { sku: string }) => item.sku === 'IDEM-ALERT');
      const acknowledged = await server().call('POST', `/api/v1/alerts/${alert.id}/acknowledge`, {
        idempotencyKey: 'ack-1',
      });
      const acknowledgedAgain = await server().call(
        'POST',
        `/api/v1/alerts/${alert.id}/acknowledge`,
        { idempotencyKey: 'ack-1' },
      );
      expect(acknowledgedAgain.headers.get('idempotent-replayed')).toBe('true');
      expect(acknowledgedAgain.body).toEqual(acknowledged.body);
    });

    it('refuses malformed keys (400)', async () => {
      const before = await stockOf(server(), 'IDEM-1');
      for (const key of ['x'.repeat(256), 'has space', 'tab\tkey', 'é']) {
        const answer = await server().call('POST', '/api/v1/reservations', {
          as: 'storefront',
          body: { items: [{ sku: 'IDEM-1', quantity: 1 }] },
          headers: { 'idempotency-key': key },
        });
        expectProblem(answer, 400, 'VALIDATION_FAILED');
        expect(answer.body.errors).toEqual([
          { path: 'Idempotency-Key', message: 'must be 1–255 visible ASCII characters' },
        ]);
      }
      expect(await stockOf(server(), 'IDEM-1')).toEqual(before);
    });
  });
}
