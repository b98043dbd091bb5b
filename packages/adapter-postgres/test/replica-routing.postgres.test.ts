import { createStockroom, ManualClock, MemoryEventPublisher } from '@stockroom/core';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createPostgresStockStore, type PostgresPool } from '../src/index.js';
import { DATABASE_URL, dropSchema, skipReason, uniqueSchema } from './support.js';

// Replica routing, proven by counting the statements each pool runs. Both pools point at the
// same database here (there is no replica in the test setup); what is checked is which pool
// the store sends each statement to.

interface CountingPool extends PostgresPool {
  readonly statements: string[];
  readonly inner: pg.Pool;
}

function countingPool(): CountingPool {
  const inner = new pg.Pool({ connectionString: DATABASE_URL, max: 3 });
  const statements: string[] = [];
  return {
    inner,
    statements,
    async connect() {
      const client = await inner.connect();
      return {
        query: (text: string, values: readonly unknown[]) => {
          statements.push(text.replace(/\s+/g, ' ').trim());
          return client.query(text, [...values]);
        },
        release: (destroy?: boolean) => client.release(destroy),
        on: (event: 'error', listener: (error: Error) => void) => client.on(event, listener),
        removeListener: (event: 'error', listener: (error: Error) => void) =>
          client.removeListener(event, listener),
      };
    },
    end: () => inner.end(),
  };
}

describe.skipIf(skipReason)('read replica routing (PostgreSQL)', () => {
  it('every transaction runs on the primary; reads outside transactions run on the replica', async () => {
    const primary = countingPool();
    const replica = countingPool();
    const schema = uniqueSchema('replica');
    // `eventual`: this test checks which pool each statement goes to; freshness is checked
    // against a real standby in replica-standby.postgres.test.ts.
    const store = createPostgresStockStore({
      pool: primary,
      readPool: replica,
      schema,
      replicaReads: 'eventual',
    });
    const clock = new ManualClock('2026-03-01T12:00:00.000Z');
    const publisher = new MemoryEventPublisher();
    const stockroom = createStockroom({ store, clock, publisher });
    try {
      await store.migrate();
      expect(replica.statements).toEqual([]);

      // Writes, reservations, claims and the relay: all on the primary.
      await stockroom.warehouses.create({ id: 'paris', name: 'Paris' });
      await stockroom.adjustments.adjust({
        sku: 'A',
        warehouseId: 'paris',
        type: 'RESTOCK',
        quantity: 5,
      });
      const hold = await stockroom.reservations.reserve({
        items: [{ sku: 'A', quantity: 2 }],
        ttlSeconds: 10,
      });
      await stockroom.reservations.commit(hold.id);
      await stockroom.reservations.reserve({ items: [{ sku: 'A', quantity: 1 }], ttlSeconds: 10 });
      clock.advance(11_000);
      expect(await stockroom.reservations.expireDue()).toBe(1);
      await stockroom.relay!.drain();
      expect(publisher.events.length).toBeGreaterThan(0);
      expect(replica.statements).toEqual([]);
      expect(primary.statements.some((text) => text.includes('for update skip locked'))).toBe(true);

      // Every read of the port: one statement each on the replica, none on the primary.
      const primaryBefore = primary.statements.length;
      const replicaBefore = replica.statements.length;
      const reads = store.reads;
      await reads.stockBySku('A');
      await reads.stockBySkus(['A']);
      await reads.stockByWarehouse('paris', {});
      await reads.allStock({});
      await reads.lowStock();
      await reads.reservation(hold.id);
      await reads.activeHolds();
      await reads.reservationsByStatus('ACTIVE', {});
      await reads.movements({ sku: 'A' }, {});
      await reads.ledger({ sku: 'A' }, {});
      await reads.warehouse('paris');
      await reads.warehouses({});
      await reads.occupancies();
      await reads.transfer('trf_none');
      await reads.transfers({}, {});
      await reads.alerts({}, {});
      await reads.outboxLag();
      // The services' reads go the same way: availability and reservation lookups.
      expect(await stockroom.availability.get('A')).toMatchObject({ sku: 'A' });
      expect(await stockroom.reservations.get(hold.id)).toMatchObject({ status: 'COMMITTED' });
      expect(primary.statements.length).toBe(primaryBefore);
      expect(replica.statements.length - replicaBefore).toBe(17 + 2);
      expect(replica.statements.every((text) => text.startsWith('select'))).toBe(true);
      expect(replica.statements.some((text) => /for (update|share)/i.test(text))).toBe(false);
      // No transaction was ever opened on the replica.
      expect(
        replica.statements.some((text) => /^(start transaction|begin|commit)/i.test(text)),
      ).toBe(false);
    } finally {
      await store.close();
      await primary.end();
      await replica.end();
      await dropSchema(schema);
    }
  });

  it("with 'fresh' reads, a read pool that is not a streaming standby is never read", async () => {
    const primary = countingPool();
    const replica = countingPool();
    const schema = uniqueSchema('replica_fresh');
    const store = createPostgresStockStore({ pool: primary, readPool: replica, schema });
    const stockroom = createStockroom({ store });
    try {
      await store.migrate();
      await stockroom.warehouses.create({ id: 'paris', name: 'Paris' });
      await stockroom.adjustments.adjust({
        sku: 'A',
        warehouseId: 'paris',
        type: 'RESTOCK',
        quantity: 5,
      });
      expect(await stockroom.availability.get('A')).toMatchObject({ available: 5 });
      expect(await store.reads.stockBySku('A')).toHaveLength(1);
      // The replica was only asked for its replay position (NULL: not in recovery).
      expect(replica.statements).toEqual(['SELECT pg_last_wal_replay_lsn()::text AS lsn']);
      expect(store.replicaStats).toMatchObject({ replicaReads: 0, primaryReads: 2 });
    } finally {
      await store.close();
      await primary.end();
      await replica.end();
      await dropSchema(schema);
    }
  });
});
