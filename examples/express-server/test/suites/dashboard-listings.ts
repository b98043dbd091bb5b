import { describe, expect, it } from 'vitest';
import type { TestServer } from '../support.js';
import { expectProblem } from './helpers.js';

/** What the dashboard reads beyond the contract: reservations by status, movement summary. */
export function dashboardListingTests(server: () => TestServer): void {
  describe('dashboard listings', () => {
    it('pages through the reservations of each status, every one once', async () => {
      for (const status of ['ACTIVE', 'COMMITTED', 'RELEASED', 'EXPIRED']) {
        const all = await server().call('GET', `/api/v1/reservations?status=${status}&limit=1000`, {
          as: 'readonly',
        });
        expect(all.status, all.text).toBe(200);
        const ids: string[] = [];
        let cursor: string | null = null;
        do {
          const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
          const page = await server().call(
            'GET',
            `/api/v1/reservations?status=${status}&limit=2${query}`,
          );
          expect(page.status, page.text).toBe(200);
          expect(page.body.items.length).toBeLessThanOrEqual(2);
          for (const item of page.body.items) {
            expect(item.status).toBe(status);
            ids.push(item.reservationId);
          }
          cursor = page.body.nextCursor;
        } while (cursor);
        expect(ids).toEqual(
          all.body.items.map((item: { reservationId: string }) => item.reservationId),
        );
        expect(new Set(ids).size).toBe(ids.length);
      }
      const committed = await server().call('GET', '/api/v1/reservations?status=COMMITTED');
      expect(committed.body.items.length).toBeGreaterThan(0);
      expectProblem(
        await server().call('GET', '/api/v1/reservations?status=PENDING'),
        400,
        'VALIDATION_FAILED',
      );
    });

    it('counts the movements of the last hours in 24 buckets', async () => {
      const summary = await server().call('GET', '/api/v1/movements/summary?hours=24', {
        as: 'readonly',
      });
      expect(summary.status, summary.text).toBe(200);
      expect(summary.body.buckets).toHaveLength(24);
      expect(summary.body.bucketMinutes).toBe(60);
      const counted = summary.body.buckets.reduce(
        (sum: number, bucket: { movements: Record<string, number> }) =>
          sum + Object.values(bucket.movements).reduce((a, b) => a + b, 0),
        0,
      );
      expect(counted).toBe(summary.body.total);
      expect(summary.body.total).toBeGreaterThan(0);
      expectProblem(
        await server().call('GET', '/api/v1/movements/summary?hours=0'),
        400,
        'VALIDATION_FAILED',
      );
    });
  });
}
