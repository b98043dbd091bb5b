import {
  type CloudEvent,
  createStock,
  type InventoryStock,
  type Reservation,
} from '@stockroom/core';
import type { StockWrite } from '@stockroom/core/adapter-kit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPostgresStockStore,
  migrateToLatest,
  type PostgresStockStore,
} from '../src/index.js';
import {
  adminQuery,
  DATABASE_URL,
  dropSchema,
  freshStore,
  skipReason,
  uniqueSchema,
} from './support.js';

// Port-level behaviour that the contract suite cannot see from the outside: the guarded write's
// all-or-nothing statement, lock and SKIP LOCKED semantics, error translation, pool ownership
// and the migrations. One schema for the file (each test uses its own SKUs); tests that need
// another store make and drop their own schema.

const now = new Date('2026-03-01T12:00:00.000Z');

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

/** Waits until `count` backends wait on a lock while running a statement on `schema`. */
async function lockWaiters(schema: string, count: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const result = await adminQuery(
      `SELECT count(*)::int AS waiting FROM pg_stat_activity
       WHERE wait_event_type = 'Lock' AND query LIKE '%' || $1 || '%'`,
      [`"${schema}"`],
    );
    if (result.rows[0].waiting >= count) return;
    if (Date.now() > deadline) throw new Error(`no backend waits on a lock in ${schema}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function write(before: InventoryStock, change: Partial<InventoryStock>): StockWrite {
  const next = { ...before, ...change, version: before.version + 1 };
  return {
    before,
    next: { ...next, total: next.available + next.reserved + next.damaged + next.inTransit },
    deltas: {
      available: next.available - before.available,
      reserved: next.reserved - before.reserved,
      damaged: next.damaged - before.damaged,
      inTransit: next.inTransit - before.inTransit,
      backordered: next.backordered - before.backordered,
    },
  };
}

function reservation(id: string, expiresAt: Date, sku = 'R'): Reservation {
  return {
    id,
    status: 'ACTIVE',
    orderId: null,
    userId: null,
    lines: [
      {
        sku,
        warehouseId: 'paris',
        quantity: 1,
        refunded: 0,
        committed: 0,
        released: 0,
        preordered: 0,
        receiptId: null,
        expectedAt: null,
        backordered: 0,
      },
    ],
    createdAt: now,
    expiresAt,
    committedAt: null,
    releasedAt: null,
    version: 1,
  };
}

function event(id: string): CloudEvent {
  return {
    specversion: '1.0',
    id,
    source: 'test',
    type: 'inventory.stock.updated',
    subject: 'O',
    time: now.toISOString(),
    datacontenttype: 'application/json',
    data: { id },
  };
}

describe.skipIf(skipReason)('PostgresStockStore (port level)', () => {
  let store: PostgresStockStore;

  beforeAll(async () => {
    store = await freshStore('port');
  });
  afterAll(async () => {
    await store?.close();
    if (store) await dropSchema(store.schema);
  });

  const seed = (...rows: InventoryStock[]) =>
    store.transaction(async (transaction) => {
      for (const row of rows) await transaction.stock.insert(row);
    });

  describe('guarded writes', () => {
    it('write every row or none: one stale version or one negative quantity writes nothing', async () => {
      const paris = {
        ...createStock({ sku: 'G', warehouseId: 'paris' }, now),
        available: 5,
        total: 5,
      };
      const london = {
        ...createStock({ sku: 'G', warehouseId: 'london' }, now),
        available: 5,
        total: 5,
      };
      await seed(paris, london);
      const stale = { ...london, version: 7 };
      expect(
        await store.transaction((transaction) =>
          transaction.stock.update([
            write(paris, { available: 4 }),
            write(stale, { available: 4 }),
          ]),
        ),
      ).toEqual({ applied: false });
      expect(
        await store.transaction((transaction) =>
          transaction.stock.update([
            write(paris, { available: 4 }),
            // Claims 5 available → -1: the guard refuses it even though the version matches.
            {
              ...write(london, { available: 0 }),
              deltas: { available: -6, reserved: 0, damaged: 0, inTransit: 0, backordered: 0 },
            },
          ]),
        ),
      ).toEqual({ applied: false });
      expect(await store.reads.stockBySku('G')).toMatchObject([
        { warehouseId: 'london', available: 5, version: 0 },
        { warehouseId: 'paris', available: 5, version: 0 },
      ]);
      expect(
        await store.transaction((transaction) =>
          transaction.stock.update([
            write(paris, { available: 4, reserved: 1 }),
            write(london, { available: 3, damaged: 2 }),
          ]),
        ),
      ).toEqual({ applied: true });
      expect(await store.reads.stockBySku('G')).toMatchObject([
        { warehouseId: 'london', available: 3, damaged: 2, total: 5, version: 1 },
        { warehouseId: 'paris', available: 4, reserved: 1, total: 5, version: 1 },
      ]);
    });

    it('two writers of different rows of one SKU queue on the canonical lock order instead of deadlocking', async () => {
      const paris = createStock({ sku: 'S', warehouseId: 'paris' }, now);
      const london = createStock({ sku: 'S', warehouseId: 'london' }, now);
      await seed(paris, london);
      let arrived = 0;
      const bothRead = deferred();
      const writer = (mine: string) =>
        store.transaction(async (transaction) => {
          const rows = await transaction.stock.read(['S']);
          arrived += 1;
          if (arrived === 2) bothRead.resolve();
          await bothRead.promise;
          const own = rows.find((row) => row.warehouseId === mine)!;
          const others = rows.filter((row) => row.warehouseId !== mine);
          return transaction.stock.update([write(own, { available: 1 })], others);
        });
      const outcomes = await Promise.all([writer('paris'), writer('london')]);
      // One wins; the other finds a guarded row moved and reports it as data. A deadlock would
      // have thrown VERSION_CONFLICT (SQLSTATE 40P01) from one of them instead, failing the
      // Promise.all: no clock needed to tell.
      expect(outcomes.map((outcome) => outcome.applied).sort()).toEqual([false, true]);
    });

    it('a row read with lock blocks a second locker until the first commits, which then sees its write', async () => {
      const row = {
        ...createStock({ sku: 'L', warehouseId: 'paris' }, now),
        available: 3,
        total: 3,
      };
      await seed(row);
      const locked = deferred();
      const release = deferred();
      const first = store.transaction(async (transaction) => {
        const [current] = await transaction.stock.read(['L'], { lock: true });
        locked.resolve();
        await release.promise;
        return transaction.stock.update([write(current!, { available: 2, reserved: 1 })]);
      });
      await locked.promise;
      const second = store.transaction(async (transaction) =>
        transaction.stock.get({ sku: 'L', warehouseId: 'paris' }, { lock: true }),
      );
      await lockWaiters(store.schema, 1);
      release.resolve();
      expect(await first).toEqual({ applied: true });
      expect(await second).toMatchObject({ available: 2, reserved: 1, version: 1 });
    });

    it('insert of an existing key reports applied: false; a CHECK violation is VALIDATION_FAILED', async () => {
      const row = createStock({ sku: 'I', warehouseId: 'paris' }, now);
      expect(await store.transaction((transaction) => transaction.stock.insert(row))).toEqual({
        applied: true,
      });
      expect(await store.transaction((transaction) => transaction.stock.insert(row))).toEqual({
        applied: false,
      });
      await expect(
        store.transaction((transaction) =>
          transaction.stock.insert({
            ...createStock({ sku: 'I', warehouseId: 'london' }, now),
            available: -1,
            total: -1,
          }),
        ),
      ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
      expect(await store.reads.stockBySku('I')).toHaveLength(1);
    });
  });

  describe('claims with SKIP LOCKED', () => {
    it('two sweepers claim disjoint due reservations without waiting for each other', async () => {
      const due = Array.from({ length: 5 }, (_, index) =>
        reservation(`res_due_${index}`, new Date(now.getTime() - 1000 + index)),
      );
      await store.transaction((transaction) =>
        transaction.reservations.insert([
          ...due,
          reservation('res_later', new Date(now.getTime() + 60_000)),
        ]),
      );
      const claimed = deferred();
      const release = deferred();
      let firstIds: string[] = [];
      const first = store.transaction(async (transaction) => {
        firstIds = (await transaction.reservations.claimDue(now, 3)).map((item) => item.id);
        claimed.resolve();
        await release.promise;
      });
      await claimed.promise;
      // Completes while the first claim is still open: skipped, not waited for.
      const secondIds = await store.transaction(async (transaction) =>
        (await transaction.reservations.claimDue(now, 10)).map((item) => item.id),
      );
      release.resolve();
      await first;
      expect(firstIds).toEqual(['res_due_0', 'res_due_1', 'res_due_2']);
      expect(secondIds).toEqual(['res_due_3', 'res_due_4']);
    });

    it('two relays claim disjoint outbox batches, oldest first, and failures count attempts', async () => {
      await store.transaction(async (transaction) => {
        await transaction.outbox.append([event('evt_c'), event('evt_a')]);
        await transaction.outbox.append([event('evt_b')]);
      });
      const claimed = deferred();
      const release = deferred();
      let first: string[] = [];
      let positions: string[] = [];
      const relay = store.transaction(async (transaction) => {
        const entries = await transaction.outbox.claim(2);
        first = entries.map((entry) => entry.event.id);
        positions = entries.map((entry) => entry.position);
        claimed.resolve();
        await release.promise;
        await transaction.outbox.markFailed(first);
      });
      await claimed.promise;
      const second = await store.transaction(async (transaction) =>
        (await transaction.outbox.claim(10)).map((entry) => entry.event.id),
      );
      release.resolve();
      await relay;
      // Append order, not id order: evt_c was appended before evt_a.
      expect(first).toEqual(['evt_c', 'evt_a']);
      expect(second).toEqual(['evt_b']);
      expect([...positions].sort()).toEqual(positions);
      const entries = await store.transaction((transaction) => transaction.outbox.claim(10));
      expect(entries.map((entry) => [entry.event.id, entry.attempts])).toEqual([
        ['evt_c', 1],
        ['evt_a', 1],
        ['evt_b', 0],
      ]);
      expect(entries[0]!.event).toEqual(event('evt_c'));
      await store.transaction((transaction) =>
        transaction.outbox.markDelivered(['evt_a', 'evt_b', 'evt_c']),
      );
      expect(await store.reads.outboxLag()).toEqual({ pending: 0, oldest: null });
    });
    it('stores an event without the fields of its columns and claims it whole, as rows stored whole', async () => {
      const odd = { ...event('evt_odd'), time: '2026-03-01T12:00:00Z' };
      await store.transaction((transaction) =>
        transaction.outbox.append([event('evt_short'), odd]),
      );
      // A row as earlier versions stored it: the whole event in `event`.
      await adminQuery(
        `INSERT INTO "${store.schema}".outbox (event_id, subject, type, event, event_time, ordinal)
          VALUES ($1, $2, $3, $4, $5, 0)`,
        ['evt_whole', 'O', 'inventory.stock.updated', JSON.stringify(event('evt_whole')), now],
      );
      const stored = await adminQuery(
        `SELECT event_id, event::text AS event FROM "${store.schema}".outbox ORDER BY event_id`,
      );
      expect(stored.rows.map((row) => [row.event_id, JSON.parse(row.event)])).toEqual([
        ['evt_odd', { source: 'test', time: odd.time, data: { id: 'evt_odd' } }],
        ['evt_short', { source: 'test', data: { id: 'evt_short' } }],
        ['evt_whole', event('evt_whole')],
      ]);
      const entries = await store.transaction((transaction) => transaction.outbox.claim(10));
      const claimed = new Map(entries.map((entry) => [entry.event.id, entry.event]));
      // Field order too: a relay serialising the event sends the same text as before.
      expect(JSON.stringify(claimed.get('evt_short'))).toBe(JSON.stringify(event('evt_short')));
      expect(JSON.stringify(claimed.get('evt_odd'))).toBe(JSON.stringify(odd));
      expect(JSON.stringify(claimed.get('evt_whole'))).toBe(JSON.stringify(event('evt_whole')));
      await store.transaction((transaction) =>
        transaction.outbox.markDelivered(['evt_short', 'evt_odd', 'evt_whole']),
      );
    });
  });

  describe('idempotency, reservations and paging', () => {
    it('put of an existing key reports applied: false; purge deletes only older records', async () => {
      const record = { scope: 's', key: 'k', fingerprint: 'f', result: '{}', createdAt: now };
      expect(await store.transaction((transaction) => transaction.idempotency.put(record))).toEqual(
        { applied: true },
      );
      expect(
        await store.transaction((transaction) =>
          transaction.idempotency.put({ ...record, fingerprint: 'g' }),
        ),
      ).toEqual({ applied: false });
      await store.transaction((transaction) =>
        transaction.idempotency.put({
          ...record,
          key: 'k2',
          createdAt: new Date(now.getTime() + 1),
        }),
      );
      expect(
        await store.transaction((transaction) => transaction.idempotency.get('s', 'k')),
      ).toEqual(record);
      expect(
        await store.transaction((transaction) =>
          transaction.idempotency.purge(new Date(now.getTime() + 1)),
        ),
      ).toBe(1);
      expect(
        await store.transaction((transaction) => transaction.idempotency.get('s', 'k')),
      ).toBeNull();
    });

    it('a reservation update is a compare-and-set and stores refunded line counts', async () => {
      const held: Reservation = {
        ...reservation('res_cas', new Date(now.getTime() + 60_000), 'C'),
        orderId: 'order-cas',
        lines: [
          {
            sku: 'C',
            warehouseId: 'paris',
            quantity: 2,
            refunded: 0,
            committed: 0,
            released: 0,
            preordered: 0,
            receiptId: null,
            expectedAt: null,
            backordered: 0,
          },
          {
            sku: 'C',
            warehouseId: 'london',
            quantity: 3,
            refunded: 0,
            committed: 0,
            released: 0,
            preordered: 0,
            receiptId: null,
            expectedAt: null,
            backordered: 0,
          },
        ],
      };
      await store.transaction((transaction) => transaction.reservations.insert([held]));
      const committed: Reservation = { ...held, status: 'COMMITTED', committedAt: now, version: 2 };
      expect(
        await store.transaction((transaction) => transaction.reservations.update(committed, 1)),
      ).toEqual({ applied: true });
      expect(
        await store.transaction((transaction) => transaction.reservations.update(committed, 1)),
      ).toEqual({ applied: false });
      const refunded: Reservation = {
        ...committed,
        lines: [held.lines[0]!, { ...held.lines[1]!, refunded: 2, backordered: 0 }],
        version: 3,
      };
      expect(
        await store.transaction((transaction) => transaction.reservations.update(refunded, 1)),
      ).toEqual({ applied: false });
      expect(
        await store.transaction((transaction) => transaction.reservations.update(refunded, 2)),
      ).toEqual({ applied: true });
      expect(await store.reads.reservation('res_cas')).toEqual(refunded);
      expect(
        await store.transaction((transaction) => transaction.reservations.listByOrder('order-cas')),
      ).toEqual([refunded]);
      expect(
        (
          await store.transaction((transaction) =>
            transaction.reservations.get(['res_missing', 'res_cas'], { lock: true }),
          )
        ).map((item) => item.id),
      ).toEqual(['res_cas']);
    });

    it('refuses a cursor that is not one of ours', async () => {
      await expect(store.reads.allStock({ cursor: 'not-a-cursor' })).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
      });
      await expect(
        store.reads.movements({}, { cursor: Buffer.from('["x","y"]').toString('base64url') }),
      ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    });
  });

  describe('errors', () => {
    it('a deadlock is a retryable VERSION_CONFLICT carrying SQLSTATE 40P01', async () => {
      await seed(
        createStock({ sku: 'D1', warehouseId: 'paris' }, now),
        createStock({ sku: 'D2', warehouseId: 'paris' }, now),
      );
      let holding = 0;
      const bothHold = deferred();
      const locker = (firstSku: string, secondSku: string) =>
        store.transaction(async (transaction) => {
          await transaction.stock.get({ sku: firstSku, warehouseId: 'paris' }, { lock: true });
          holding += 1;
          if (holding === 2) bothHold.resolve();
          await bothHold.promise;
          await transaction.stock.get({ sku: secondSku, warehouseId: 'paris' }, { lock: true });
        });
      const results = await Promise.allSettled([locker('D1', 'D2'), locker('D2', 'D1')]);
      const rejected = results.filter(
        (result): result is PromiseRejectedResult => result.status === 'rejected',
      );
      expect(rejected).toHaveLength(1);
      expect(rejected[0]!.reason).toMatchObject({
        code: 'VERSION_CONFLICT',
        retryable: true,
        cause: { code: '40P01' },
      });
    });

    it('a connection killed inside a transaction is STORE_UNAVAILABLE; the pool recovers', async () => {
      const applicationName = `kill_${store.schema}`.slice(0, 60);
      const pool = new pg.Pool({
        connectionString: DATABASE_URL,
        max: 2,
        application_name: applicationName,
      });
      pool.on('error', () => {});
      const victim = createPostgresStockStore({ pool, schema: store.schema });
      try {
        await expect(
          victim.transaction(async (transaction) => {
            await transaction.stock.read(['K']);
            await adminQuery(
              'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1',
              [applicationName],
            );
            await transaction.stock.read(['K']);
          }),
        ).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE', retryable: true });
        expect(await victim.transaction((transaction) => transaction.stock.read(['K']))).toEqual(
          [],
        );
      } finally {
        await victim.close();
        await pool.end();
      }
    });

    it('an unreachable server and a closed store are STORE_UNAVAILABLE', async () => {
      const nowhere = createPostgresStockStore({
        connectionString: 'postgres://postgres@127.0.0.1:1/test',
        schema: store.schema,
      });
      await expect(nowhere.ping()).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
      await expect(nowhere.reads.stockBySku('A')).rejects.toMatchObject({
        code: 'STORE_UNAVAILABLE',
      });
      await nowhere.close();
      await expect(nowhere.transaction(async () => 1)).rejects.toMatchObject({
        code: 'STORE_UNAVAILABLE',
      });
    });
  });

  describe('pools and migrations', () => {
    it('close() ends the pools it created, never one it was given, and is idempotent', async () => {
      const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 1 });
      const given = createPostgresStockStore({ pool, schema: store.schema });
      await given.ping();
      await Promise.all([given.close(), given.close()]);
      expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      await pool.end();

      const owned = createPostgresStockStore({
        connectionString: DATABASE_URL,
        poolSize: 1,
        schema: store.schema,
      });
      await owned.ping();
      await owned.close();
      await owned.close();
      await expect(owned.ping()).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    });

    it('migrate: true migrates lazily once; migrateToLatest is idempotent', async () => {
      const schema = uniqueSchema('lazy');
      const lazy = createPostgresStockStore({
        connectionString: DATABASE_URL,
        poolSize: 2,
        schema,
        migrate: true,
      });
      try {
        const [rows, warehouses] = await Promise.all([
          lazy.reads.stockBySku('A'),
          lazy.reads.warehouses({}),
        ]);
        expect(rows).toEqual([]);
        expect(warehouses.items).toEqual([]);
        expect(await lazy.migrate()).toEqual([
          '0001_initial',
          '0002_ledger_history',
          '0004_sellability',
          '0005_sales_channels',
          '0006_damaged_unit_movements',
          '0007_backorders',
          '0008_incoming_receipts',
          '0009_hold_parts',
          '0010_reservation_listing',
          '0011_kits',
          '0012_reservation_indexes',
        ]);
        expect(await migrateToLatest({ connectionString: DATABASE_URL, schema })).toEqual([]);
      } finally {
        await lazy.close();
        await dropSchema(schema);
      }
    });

    it('indexes a reservation and its lines once per query shape (migration 0012)', async () => {
      const schema = uniqueSchema('indexes');
      try {
        await migrateToLatest({ connectionString: DATABASE_URL, schema });
        const result = await adminQuery(
          `SELECT tablename, indexname FROM pg_indexes
            WHERE schemaname = $1 AND tablename IN ('reservations', 'reservation_lines')
            ORDER BY tablename, indexname`,
          [schema],
        );
        // What a reservation insert writes: 4 entries (5 with an order id) and 3 per line (the
        // waiting and receipt indexes are partial and skip plain lines).
        expect(result.rows.map((row) => `${row.tablename}.${row.indexname}`)).toEqual([
          'reservation_lines.reservation_lines_by_receipt',
          'reservation_lines.reservation_lines_by_sku',
          'reservation_lines.reservation_lines_by_warehouse',
          'reservation_lines.reservation_lines_pkey',
          'reservation_lines.reservation_lines_waiting',
          'reservations.reservations_by_created',
          'reservations.reservations_by_order',
          'reservations.reservations_by_status',
          'reservations.reservations_due',
          'reservations.reservations_pkey',
        ]);
      } finally {
        await dropSchema(schema);
      }
    });

    it('instances migrating one schema at once: one applies, the others find it done', async () => {
      const schema = uniqueSchema('race');
      try {
        const results = await Promise.all(
          Array.from({ length: 3 }, () =>
            migrateToLatest({ connectionString: DATABASE_URL, schema }),
          ),
        );
        expect(results.map((applied) => applied.length).sort()).toEqual([0, 0, 11]);
      } finally {
        await dropSchema(schema);
      }
    });

    it('partitions: N creates stock and movements hash-partitioned by warehouse_id', async () => {
      const schema = uniqueSchema('parts');
      try {
        expect(
          await migrateToLatest({ connectionString: DATABASE_URL, schema, partitions: 3 }),
        ).toEqual([
          '0001_initial',
          '0002_ledger_history',
          '0004_sellability',
          '0005_sales_channels',
          '0006_damaged_unit_movements',
          '0007_backorders',
          '0008_incoming_receipts',
          '0009_hold_parts',
          '0010_reservation_listing',
          '0011_kits',
          '0012_reservation_indexes',
        ]);
        const result = await adminQuery(
          `SELECT parent.relname AS parent, count(*)::int AS partitions, pg_get_partkeydef(parent.oid) AS key
           FROM pg_inherits JOIN pg_class parent ON parent.oid = inhparent JOIN pg_namespace n ON n.oid = parent.relnamespace
           WHERE n.nspname = $1 AND parent.relkind = 'p' GROUP BY parent.relname, parent.oid ORDER BY parent.relname`,
          [schema],
        );
        expect(result.rows).toEqual([
          { parent: 'movements', partitions: 3, key: 'HASH (warehouse_id)' },
          { parent: 'stock', partitions: 3, key: 'HASH (warehouse_id)' },
        ]);
      } finally {
        await dropSchema(schema);
      }
    });

    it('refuses a schema name that is not an identifier and a bad partition count', () => {
      expect(() =>
        createPostgresStockStore({ connectionString: DATABASE_URL, schema: 'a"; drop' }),
      ).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
      expect(() =>
        createPostgresStockStore({ connectionString: DATABASE_URL, partitions: 1 }),
      ).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
      expect(() => createPostgresStockStore({})).toThrow(
        expect.objectContaining({ code: 'VALIDATION_FAILED' }),
      );
    });
  });
});
