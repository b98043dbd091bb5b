import { createStockroom, ManualClock, type Stockroom } from '@stockroom/core';
import { readAll, replayLedger, reservedMismatches } from '@stockroom/core/testing';
import { describe, expect, it } from 'vitest';
import { createPostgresStockStore } from '../src/index.js';
import { DATABASE_URL, dropSchema, freshStore, skipReason } from './support.js';

// Two application instances (two stores, two pools) sweep the same 2,000 due reservations at
// once. Claims use FOR UPDATE SKIP LOCKED, so each reservation is expired exactly once.

const RESERVATIONS = 2000;
const SKUS = ['SW-A', 'SW-B', 'SW-C', 'SW-D'];

describe.skipIf(skipReason)('expiry sweepers racing (PostgreSQL)', () => {
  it('two sweepers over 2,000 due reservations release each exactly once', {
    timeout: 180_000,
  }, async () => {
    const clock = new ManualClock('2026-03-01T12:00:00.000Z');
    const first = await freshStore('sweepers', { poolSize: 4 });
    const second = createPostgresStockStore({
      connectionString: DATABASE_URL,
      poolSize: 4,
      schema: first.schema,
    });
    const policies = { retry: { maxAttempts: 1000, deadlineMs: 150_000 } };
    try {
      const setup = createStockroom({ store: first, clock });
      await setup.warehouses.create({ id: 'paris', name: 'Paris' });
      for (const sku of SKUS) {
        await setup.adjustments.adjust({
          sku,
          warehouseId: 'paris',
          type: 'RESTOCK',
          quantity: RESERVATIONS,
        });
      }
      // Concurrent calls on one instance are batched: 2,000 holds in a handful of transactions.
      const holds = await Promise.all(
        Array.from({ length: RESERVATIONS }, (_, index) =>
          setup.reservations.reserve({
            items: [{ sku: SKUS[index % SKUS.length]!, quantity: 1 }],
            ttlSeconds: 60,
          }),
        ),
      );
      expect(new Set(holds.map((hold) => hold.id)).size).toBe(RESERVATIONS);
      clock.advance(61_000);

      const sweep = async (stockroom: Stockroom) => {
        let total = 0;
        let passes = 0;
        for (;;) {
          const count = await stockroom.reservations.expireDue({ limit: 1000 });
          passes += 1;
          if (count === 0) return { total, passes, conflicts: stockroom.stats.conflicts };
          total += count;
        }
      };
      const [a, b] = await Promise.all([
        sweep(createStockroom({ store: first, clock, policies })),
        sweep(createStockroom({ store: second, clock, policies })),
      ]);
      process.stdout.write(
        `[sweepers] first expired ${a.total} in ${a.passes} passes (${a.conflicts} conflicts), second ${b.total} in ${b.passes} passes (${b.conflicts} conflicts)\n`,
      );
      expect(a.total + b.total).toBe(RESERVATIONS);

      const expired = await readAll((page) => first.reads.reservationsByStatus('EXPIRED', page));
      expect(expired).toHaveLength(RESERVATIONS);
      // Expired once: one transition from version 1, never a second.
      expect(expired.every((reservation) => reservation.version === 2)).toBe(true);
      expect(await readAll((page) => first.reads.reservationsByStatus('ACTIVE', page))).toEqual([]);
      const expirations = (await readAll((page) => first.reads.ledger({}, page))).filter(
        (movement) => movement.type === 'EXPIRATION',
      );
      expect(expirations).toHaveLength(RESERVATIONS);
      expect(new Set(expirations.map((movement) => movement.reservationId)).size).toBe(
        RESERVATIONS,
      );
      expect(await first.reads.stockBySkus(SKUS)).toMatchObject(
        SKUS.map((sku) => ({ sku, available: RESERVATIONS, reserved: 0 })),
      );
      expect(await replayLedger(first)).toEqual([]);
      expect(await reservedMismatches(first)).toEqual([]);
    } finally {
      await second.close();
      await first.close();
      await dropSchema(first.schema);
    }
  });
});
