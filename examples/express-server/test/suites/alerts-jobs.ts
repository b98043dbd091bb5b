import { describe, expect, it } from 'vitest';
import type { TestServer } from '../support.js';
import { expectProblem, metric, reserve, restock, runJob } from './helpers.js';

/** /alerts, /replenishment and /admin/jobs. */
export function alertAndJobTests(server: () => TestServer): void {
  describe('alerts and replenishment', () => {
    it('raises an alert when a row falls to its threshold; lists and acknowledges it', async () => {
      await restock(server(), 'ALERT-1', 'berlin', 30);
      const held = await reserve(server(), { items: [{ sku: 'ALERT-1', quantity: 25 }] });
      expect(held.status).toBe(201);
      expect(await runJob(server(), 'low-stock')).toBeGreaterThan(0);
      const triggered = await server().call('GET', '/api/v1/alerts?status=TRIGGERED&limit=1000', {
        as: 'readonly',
      });
      expect(triggered.status).toBe(200);
      const alert = triggered.body.items.find((item: { sku: string }) => item.sku === 'ALERT-1');
      expect(alert).toEqual({
        id: expect.stringMatching(/^alr_/),
        sku: 'ALERT-1',
        warehouseId: 'berlin',
        currentQuantity: 5,
        threshold: 10,
        status: 'TRIGGERED',
        triggeredAt: expect.any(String),
        acknowledgedAt: null,
        acknowledgedBy: null,
        resolvedAt: null,
      });
      const acknowledged = await server().call('POST', `/api/v1/alerts/${alert.id}/acknowledge`);
      expect(acknowledged.status).toBe(200);
      expect(acknowledged.body).toMatchObject({
        id: alert.id,
        status: 'ACKNOWLEDGED',
        acknowledgedAt: server().clock.now().toISOString(),
        acknowledgedBy: expect.stringMatching(/^api-key:key_/),
      });
      const listed = await server().call('GET', '/api/v1/alerts?status=ACKNOWLEDGED');
      expect(listed.body.items.map((item: { id: string }) => item.id)).toContain(alert.id);
      expectProblem(
        await server().call('POST', '/api/v1/alerts/alr_unknown/acknowledge'),
        404,
        'NOT_FOUND',
      );
      expectProblem(
        await server().call('GET', '/api/v1/alerts?status=SLEEPING'),
        400,
        'VALIDATION_FAILED',
      );
      // Back above the threshold: the alert resolves, and acknowledging it is then 409.
      await server().call('POST', `/api/v1/reservations/${held.body.reservationId}/release`);
      const resolved = await server().call('GET', '/api/v1/alerts?status=RESOLVED&limit=1000');
      expect(resolved.body.items.map((item: { id: string }) => item.id)).toContain(alert.id);
      expectProblem(
        await server().call('POST', `/api/v1/alerts/${alert.id}/acknowledge`),
        409,
        'INVALID_STATE',
      );
    });

    it('suggests what to reorder', async () => {
      await restock(server(), 'REPL-1', 'madrid', 4);
      const answer = await server().call(
        'GET',
        '/api/v1/replenishment/suggestions?warehouseId=madrid',
        { as: 'readonly' },
      );
      expect(answer.status).toBe(200);
      const line = answer.body.items.find((item: { sku: string }) => item.sku === 'REPL-1');
      // No sales: reorder up to the reorder point plus one.
      expect(line).toEqual({
        sku: 'REPL-1',
        warehouseId: 'madrid',
        available: 4,
        inTransit: 0,
        reorderPoint: 20,
        dailyDemand: 0,
        daysOfCover: null,
        suggestedQuantity: 17,
      });
      for (const item of answer.body.items) expect(item.warehouseId).toBe('madrid');
      expectProblem(
        await server().call('GET', '/api/v1/replenishment/suggestions?warehouseId='),
        400,
        'VALIDATION_FAILED',
      );
    });
  });

  describe('jobs', () => {
    it('runs each job now: { job, processed }; an unknown job is 404', async () => {
      expect(await runJob(server(), 'reconcile')).toBeGreaterThan(0);
      const report = await server().call('GET', '/api/v1/admin/reconciliation');
      expect(report.status, report.text).toBe(200);
      expect(report.body.discrepancies).toEqual({
        total: 0,
        ledger: 0,
        reserved: 0,
        backordered: 0,
        preordered: 0,
      });
      expectProblem(
        await server().call('GET', '/api/v1/admin/reconciliation', { as: 'storefront' }),
        403,
        'FORBIDDEN',
      );
      expect(await runJob(server(), 'low-stock')).toBeGreaterThan(0);
      expect(await runJob(server(), 'expire-reservations')).toBe(0);
      expect(await runJob(server(), 'purge-idempotency-keys')).toBeGreaterThanOrEqual(0);
      expectProblem(
        await server().call('POST', '/api/v1/admin/jobs/make-coffee/run'),
        404,
        'NOT_FOUND',
      );
      expectProblem(
        await server().call('POST', '/api/v1/admin/jobs/low-stock/run', { as: 'storefront' }),
        403,
        'FORBIDDEN',
      );
    });

    it('relays the outbox to the publisher; /metrics shows the lag and the published count', async () => {
      const before = server().publisher.events.length;
      await restock(server(), 'RELAY-1', 'paris', 3);
      expect(await metric(server(), 'stockroom_outbox_pending')).toBeGreaterThan(0);
      const published = await runJob(server(), 'relay-outbox');
      expect(published).toBeGreaterThan(0);
      expect(server().publisher.events.length).toBe(before + published);
      const restocked = server().publisher.events.filter((event) => event.subject === 'RELAY-1');
      expect(restocked.map((event) => event.type)).toEqual(
        expect.arrayContaining(['inventory.stock.updated', 'inventory.low.stock']),
      );
      expect(await metric(server(), 'stockroom_outbox_pending')).toBe(0);
      expect(await metric(server(), 'stockroom_outbox_lag_seconds')).toBe(0);
      expect(await metric(server(), 'stockroom_events_published_total')).toBeGreaterThanOrEqual(
        published,
      );
    });

    it('purges idempotency keys older than 24 hours', async () => {
      await server().call('POST', '/api/v1/inventory/adjust', {
        idempotencyKey: 'old-key',
        body: { sku: 'PURGE-1', warehouseId: 'paris', type: 'RESTOCK', quantity: 1 },
      });
      server().clock.advance(25 * 60 * 60 * 1000);
      expect(await runJob(server(), 'purge-idempotency-keys')).toBeGreaterThanOrEqual(1);
      // The key is free again: the same request runs again.
      const again = await server().call('POST', '/api/v1/inventory/adjust', {
        idempotencyKey: 'old-key',
        body: { sku: 'PURGE-1', warehouseId: 'paris', type: 'RESTOCK', quantity: 1 },
      });
      expect(again.headers.get('idempotent-replayed')).toBeNull();
      expect(again.body.stock.available).toBe(2);
    });
  });
}
