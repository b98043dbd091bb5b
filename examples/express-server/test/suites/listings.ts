import { describe, expect, it } from 'vitest';
import type { TestServer } from '../support.js';
import { expectProblem, reserve, restock } from './helpers.js';

/** The dashboard's listings: GET /reservations?status and GET /movements/summary?hours. */
export function listingTests(server: () => TestServer): void {
  describe('listings', () => {
    it('lists reservations by status (any role), and refuses an unknown status (400)', async () => {
      await restock(server(), 'LISTED-A', 'paris', 5);
      const created = await reserve(server(), { items: [{ sku: 'LISTED-A', quantity: 2 }] });
      expect(created.status, created.text).toBe(201);
      const id = created.body.reservationId as string;

      const active = await server().call('GET', '/api/v1/reservations?status=ACTIVE&limit=1000', {
        as: 'readonly',
      });
      expect(active.status, active.text).toBe(200);
      const listed = active.body.items.find(
        (item: { reservationId: string }) => item.reservationId === id,
      );
      expect(listed).toMatchObject({
        reservationId: id,
        status: 'ACTIVE',
        allocations: [{ sku: 'LISTED-A', warehouseId: 'paris', quantity: 2 }],
      });
      expect(
        active.body.items.filter((item: { status: string }) => item.status !== 'ACTIVE'),
      ).toEqual([]);

      const released = await server().call('POST', `/api/v1/reservations/${id}/release`, {
        as: 'storefront',
      });
      expect(released.status, released.text).toBe(200);
      const after = await server().call('GET', '/api/v1/reservations?status=RELEASED&limit=1000');
      expect(
        after.body.items.map((item: { reservationId: string }) => item.reservationId),
      ).toContain(id);

      expectProblem(
        await server().call('GET', '/api/v1/reservations?status=SHIPPED'),
        400,
        'VALIDATION_FAILED',
      );
    });

    it('counts the last hours of movements per type, and refuses more than 48 hours (400)', async () => {
      await restock(server(), 'LISTED-B', 'berlin', 3);
      const summary = await server().call('GET', '/api/v1/movements/summary?hours=1', {
        as: 'readonly',
      });
      expect(summary.status, summary.text).toBe(200);
      const restocks = summary.body.buckets.reduce(
        (sum: number, bucket: { movements: Record<string, number> }) =>
          sum + (bucket.movements.RESTOCK ?? 0),
        0,
      );
      expect(restocks).toBeGreaterThanOrEqual(2);

      expectProblem(
        await server().call('GET', '/api/v1/movements/summary?hours=49'),
        400,
        'VALIDATION_FAILED',
      );
    });
  });
}
