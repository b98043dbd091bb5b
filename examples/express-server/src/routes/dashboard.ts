import {
  type Clock,
  MAX_PAGE_LIMIT,
  type Movement,
  MovementType,
  type Stockroom,
} from '@stockroom/core';
import { integerQuery, Timestamp } from '../schemas/common.js';
import { z } from '../schemas/zod.js';
import { ANY_ROLE, defineRoute, type Route } from './define-route.js';

const TYPES = Object.values(MovementType) as [MovementType, ...MovementType[]];

/** How far back a summary may look. */
export const MAX_SUMMARY_HOURS = 48;
/** The most movements one summary reads; older ones are left out and `truncated` says so. */
export const MAX_SUMMARY_MOVEMENTS = 50_000;
/** Buckets per summary. */
const BUCKETS = 24;

const MovementSummaryQuery = z.strictObject({
  hours: integerQuery(1, MAX_SUMMARY_HOURS)
    .optional()
    .openapi({ description: `How many hours back, 1–${MAX_SUMMARY_HOURS} (default 6)` }),
});

const Counts = z.partialRecord(z.enum(TYPES), z.number().int());

const MovementSummarySchema = z
  .strictObject({
    since: Timestamp,
    until: Timestamp,
    bucketMinutes: z.number().int(),
    buckets: z.array(
      z.strictObject({
        start: Timestamp,
        movements: Counts.openapi({ description: 'Movements per type' }),
        units: Counts.openapi({
          description: 'Units moved per type (the largest absolute delta of each movement)',
        }),
      }),
    ),
    total: z.number().int(),
    truncated: z.boolean().openapi({
      description: `True when more than ${MAX_SUMMARY_MOVEMENTS} movements fell in the window (the oldest are left out)`,
    }),
  })
  .openapi('MovementSummary');

function unitsOf(movement: Movement): number {
  const { available, reserved, damaged, inTransit } = movement.deltas;
  return Math.max(Math.abs(available), Math.abs(reserved), Math.abs(damaged), Math.abs(inTransit));
}

/**
 * Read-only listings the dashboard uses: recent movement counts (it lists reservations through
 * `GET /reservations`, see the reservation routes).
 */
export function dashboardRoutes({
  stockroom,
  clock,
}: {
  stockroom: Stockroom;
  clock: Clock;
}): Route[] {
  return [
    defineRoute({
      operationId: 'movementSummary',
      method: 'get',
      path: '/movements/summary',
      tag: 'Inventory',
      summary: 'Ledger movements of the last hours, counted per type in 24 time buckets',
      roles: ANY_ROLE,
      query: MovementSummaryQuery,
      success: { status: 200, description: 'The counts', schema: MovementSummarySchema },
      failures: [],
      async handle({ query }) {
        const hours = query.hours ?? 6;
        const until = clock.now();
        const since = new Date(until.getTime() - hours * 3_600_000);
        const bucketMs = (hours * 3_600_000) / BUCKETS;
        const buckets = Array.from({ length: BUCKETS }, (_, index) => ({
          start: new Date(since.getTime() + index * bucketMs).toISOString(),
          movements: {} as Partial<Record<MovementType, number>>,
          units: {} as Partial<Record<MovementType, number>>,
        }));
        let total = 0;
        let truncated = false;
        let cursor: string | null = null;
        // Newest first: stop at the first movement before the window.
        scan: do {
          const page = await stockroom.store.reads.movements({}, { limit: MAX_PAGE_LIMIT, cursor });
          for (const movement of page.items) {
            const at = movement.createdAt.getTime();
            if (at < since.getTime()) break scan;
            if (total >= MAX_SUMMARY_MOVEMENTS) {
              truncated = true;
              break scan;
            }
            const index = Math.min(BUCKETS - 1, Math.floor((at - since.getTime()) / bucketMs));
            const bucket = buckets[index];
            if (!bucket) continue;
            total += 1;
            bucket.movements[movement.type] = (bucket.movements[movement.type] ?? 0) + 1;
            bucket.units[movement.type] = (bucket.units[movement.type] ?? 0) + unitsOf(movement);
          }
          cursor = page.nextCursor;
        } while (cursor);
        return {
          since: since.toISOString(),
          until: until.toISOString(),
          bucketMinutes: Math.round(bucketMs / 60_000),
          buckets,
          total,
          truncated,
        };
      },
    }),
  ];
}
