import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createStock,
  createStockroom,
  type Logger,
  ManualClock,
  type Reservation,
  type StockStore,
  type Stockroom,
  silentLogger,
} from '@stockroom/core';
import { readAll, replayLedger, reservedMismatches, seedWarehouses } from '@stockroom/core/testing';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createSqliteStockStore,
  MIGRATION_TABLE,
  migrateToLatest,
  type SqliteStockStore,
} from '../src/index.js';
import { reserveMany } from './fixtures/reserve-many.js';
import type { WorkerReport } from './fixtures/reserve-worker.js';

const files: string[] = [];
const cleanups: Array<() => unknown> = [];

function tempFile(): string {
  const filename = join(tmpdir(), `stockroom-sqlite-${randomUUID()}.db`);
  files.push(filename);
  return filename;
}

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await Promise.all(
    files
      .splice(0)
      .flatMap((file) => ['', '-wal', '-shm'].map((suffix) => rm(`${file}${suffix}`, { force: true }))),
  );
});

/** Opens a store and closes it after the test. */
async function openStore(
  options: Parameters<typeof createSqliteStockStore>[0],
): Promise<SqliteStockStore> {
  const store = await createSqliteStockStore(options);
  cleanups.push(() => store.close());
  return store;
}

/** Opens a raw connection and closes it after the test. */
function openDatabase(filename: string): Database.Database {
  const database = new Database(filename);
  cleanups.push(() => database.open && database.close());
  return database;
}

function stockroomOver(store: StockStore, clock = new ManualClock('2026-03-01T12:00:00.000Z')) {
  return createStockroom({ store, clock, policies: { retry: { maxAttempts: 50 } } });
}

const now = new Date('2026-03-01T12:00:00.000Z');

const EXPECTED_TABLES = [
  'alerts',
  'idempotency_keys',
  'movements',
  'outbox',
  'reservation_lines',
  'reservations',
  'sqlite_sequence',
  'stock',
  'stockroom_migrations',
  'stockroom_migrations_lock',
  'transfers',
  'warehouses',
];

const EXPECTED_INDEXES = [
  'alerts_by_status',
  'alerts_by_time',
  'alerts_one_open',
  'idempotency_keys_by_time',
  'movements_by_sku',
  'movements_by_time',
  'movements_by_warehouse',
  'movements_ledger',
  'reservations_by_order',
  'reservations_by_status',
  'reservations_due',
  'stock_by_warehouse',
  'transfers_by_status',
  'transfers_by_time',
];

function schemaOf(database: Database.Database) {
  return database
    .prepare(
      "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_autoindex%' ORDER BY type, name",
    )
    .all() as Array<{ type: string; name: string; tbl_name: string; sql: string | null }>;
}

describe('migrations', () => {
  it('migrates an empty file to the latest schema; a second run is a no-op', async () => {
    const database = openDatabase(tempFile());
    expect(await migrateToLatest(database)).toEqual({ executed: ['0001_initial_schema'] });
    const schema = schemaOf(database);
    expect(schema.filter((item) => item.type === 'table').map((item) => item.name)).toEqual(
      EXPECTED_TABLES,
    );
    expect(schema.filter((item) => item.type === 'index').map((item) => item.name)).toEqual(
      EXPECTED_INDEXES,
    );
    expect(schema.find((item) => item.name === 'alerts_one_open')?.sql).toContain(
      "WHERE status <> 'RESOLVED'",
    );
    expect(schema.find((item) => item.name === 'reservations_due')?.sql).toContain(
      '(status, expires_at, id)',
    );
    expect(schema.find((item) => item.name === 'movements_by_sku')?.sql).toContain(
      '(sku, created_at, id)',
    );
    expect(schema.find((item) => item.name === 'stock')?.sql).toContain(
      'CHECK (available >= 0)',
    );

    expect(await migrateToLatest(database)).toEqual({ executed: [] });
    expect(schemaOf(database)).toEqual(schema);
    expect(
      database.prepare(`SELECT name FROM ${MIGRATION_TABLE} ORDER BY name`).all(),
    ).toEqual([{ name: '0001_initial_schema' }]);
  });

  it('two connections migrating one new file at once apply each migration once', async () => {
    const filename = tempFile();
    const first = openDatabase(filename);
    const second = openDatabase(filename);
    // One thread: a connection waiting in busy_timeout blocks the other, so keep it short and
    // let migrateToLatest's retry wait asynchronously.
    for (const database of [first, second]) database.pragma('busy_timeout = 20');
    const results = await Promise.all([migrateToLatest(first), migrateToLatest(second)]);
    expect(results.flatMap((result) => result.executed)).toEqual(['0001_initial_schema']);
    expect(schemaOf(first).filter((item) => item.type === 'table')).toHaveLength(
      EXPECTED_TABLES.length,
    );
  });

  it('createSqliteStockStore migrates by default and skips it with migrate: false', async () => {
    const filename = tempFile();
    const unmigrated = await openStore({ filename, migrate: false });
    expect(schemaOf(openDatabase(filename)).filter((item) => item.type === 'table')).toEqual([]);
    await unmigrated.close();
    const store = await openStore({ filename });
    expect(await store.reads.stockBySku('A')).toEqual([]);
  });
});

describe('connection settings and ownership', () => {
  it('sets WAL, synchronous NORMAL, foreign keys and busy_timeout on a connection it is given', async () => {
    const database = openDatabase(tempFile());
    await openStore({ database });
    expect(database.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(database.pragma('synchronous', { simple: true })).toBe(1);
    expect(database.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(database.pragma('busy_timeout', { simple: true })).toBe(1000);
  });

  it('takes synchronous FULL and a busy timeout as options', async () => {
    const database = openDatabase(tempFile());
    await openStore({ database, synchronous: 'FULL', busyTimeoutMs: 250 });
    expect(database.pragma('synchronous', { simple: true })).toBe(2);
    expect(database.pragma('busy_timeout', { simple: true })).toBe(250);
  });

  it('refuses a negative busy timeout', async () => {
    await expect(createSqliteStockStore({ filename: tempFile(), busyTimeoutMs: -1 })).rejects.toThrow(
      RangeError,
    );
  });

  it('never closes a connection it was given; closing twice is fine; then it is unavailable', async () => {
    const database = openDatabase(tempFile());
    const store = await createSqliteStockStore({ database });
    await Promise.all([store.close(), store.close()]);
    await store.close();
    expect(database.open).toBe(true);
    expect(database.prepare('SELECT count(*) AS n FROM stock').get()).toEqual({ n: 0 });
    await expect(store.transaction(async () => 1)).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
    });
    await expect(store.reads.stockBySku('A')).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    await expect(store.ping()).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
  });

  it('closes both connections it opened (the last close checkpoints and removes the WAL)', async () => {
    const filename = tempFile();
    const store = await createSqliteStockStore({ filename });
    expect(store.filename).toBe(filename);
    const stockroom = stockroomOver(store);
    await seedWarehouses(stockroom);
    await store.ping();
    expect(existsSync(`${filename}-wal`)).toBe(true);
    await store.close();
    expect(existsSync(`${filename}-wal`)).toBe(false);
  });

  it('close waits for the transactions already running', async () => {
    const store = await createSqliteStockStore({ filename: tempFile() });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const running = store.transaction(async (transaction) => {
      await gate;
      return transaction.warehouses.list();
    });
    const closed = store.close();
    release();
    await expect(running).resolves.toEqual([]);
    await closed;
  });

  it('a file that is not a database is STORE_UNAVAILABLE', async () => {
    const filename = tempFile();
    await writeFile(filename, 'this is not a database, just some text that is long enough '.repeat(4));
    await expect(createSqliteStockStore({ filename })).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
    });
  });
});

describe('transactions', () => {
  it('serialises transactions of one process in call order', async () => {
    const store = await openStore({ filename: tempFile() });
    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const first = store.transaction(async () => {
      order.push('first:start');
      await gate;
      order.push('first:end');
    });
    const second = store.transaction(async () => {
      order.push('second');
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual(['first:start']);
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(['first:start', 'first:end', 'second']);
  });

  it('reads outside transactions see the last commit while a write transaction is open', async () => {
    const store = await openStore({ filename: tempFile() });
    await seedWarehouses(stockroomOver(store));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let inserted!: () => void;
    const insertedSignal = new Promise<void>((resolve) => {
      inserted = resolve;
    });
    const writing = store.transaction(async (transaction) => {
      await transaction.stock.insert(createStock({ sku: 'A', warehouseId: 'paris' }, now));
      inserted();
      await gate;
    });
    await insertedSignal;
    // Served by the read connection: not blocked, and blind to the uncommitted row.
    expect(await store.reads.stockBySku('A')).toEqual([]);
    release();
    await writing;
    expect(await store.reads.stockBySku('A')).toMatchObject([{ sku: 'A', version: 0 }]);
  });

  it('a lock held by another process past busy_timeout is a retryable VERSION_CONFLICT', async () => {
    const filename = tempFile();
    const store = await openStore({ filename, busyTimeoutMs: 20 });
    const other = openDatabase(filename);
    other.exec('BEGIN IMMEDIATE');
    const error = await store.transaction(async () => 'never').catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'VERSION_CONFLICT', retryable: true });
    expect((error as Error).cause).toMatchObject({ code: 'SQLITE_BUSY' });
    // WAL: readers are not blocked by the writer.
    expect(await store.reads.stockBySku('A')).toEqual([]);
    other.exec('ROLLBACK');
    expect(await store.transaction(async () => 'now')).toBe('now');
  });

  it('the retry policy absorbs SQLITE_BUSY: the command succeeds once the lock is released', async () => {
    const filename = tempFile();
    const other = openDatabase(filename);
    let conflicts = 0;
    const logger: Logger = {
      ...silentLogger,
      debug: () => {
        conflicts += 1;
        // The first conflict proves the store hit the lock; let the other writer finish.
        if (other.inTransaction) other.exec('COMMIT');
      },
    };
    const store = await openStore({ filename, busyTimeoutMs: 20, logger });
    const stockroom = stockroomOver(store);
    await seedWarehouses(stockroom);
    other.exec('BEGIN IMMEDIATE');
    await stockroom.adjustments.adjust({
      sku: 'A',
      warehouseId: 'paris',
      type: 'RESTOCK',
      quantity: 3,
    });
    expect(conflicts).toBe(1);
    expect(stockroom.stats.conflicts).toBe(1);
    expect(await store.reads.stockBySku('A')).toMatchObject([{ available: 3, version: 1 }]);
  });

  it('stock.update is all or nothing across several writes', async () => {
    const store = await openStore({ filename: tempFile() });
    await seedWarehouses(stockroomOver(store));
    const paris = createStock({ sku: 'A', warehouseId: 'paris' }, now);
    const london = createStock({ sku: 'A', warehouseId: 'london' }, now);
    await store.transaction(async (transaction) => {
      await transaction.stock.insert(paris);
      await transaction.stock.insert(london);
    });
    const write = (row: typeof paris, before = row) => ({
      before,
      next: { ...row, available: 4, total: 4, version: row.version + 1 },
      deltas: { available: 4, reserved: 0, damaged: 0, inTransit: 0 },
    });
    const staleLondon = { ...london, version: 7 };
    expect(
      await store.transaction((transaction) =>
        transaction.stock.update([write(paris), write(london, staleLondon)]),
      ),
    ).toEqual({ applied: false });
    expect(await store.reads.stockBySku('A')).toMatchObject([
      { warehouseId: 'london', available: 0, version: 0 },
      { warehouseId: 'paris', available: 0, version: 0 },
    ]);
    expect(
      await store.transaction((transaction) =>
        transaction.stock.update([write(paris), write(london)]),
      ),
    ).toEqual({ applied: true });
    expect(await store.reads.stockBySku('A')).toMatchObject([
      { warehouseId: 'london', available: 4, version: 1 },
      { warehouseId: 'paris', available: 4, version: 1 },
    ]);
  });

  it('update never writes settings; updateSettings writes only settings and updatedAt', async () => {
    const store = await openStore({ filename: tempFile() });
    await seedWarehouses(stockroomOver(store));
    const row = createStock({ sku: 'A', warehouseId: 'paris' }, now, { lowStockThreshold: 3 });
    await store.transaction((transaction) => transaction.stock.insert(row));
    const later = new Date(now.getTime() + 1000);
    await store.transaction((transaction) =>
      transaction.stock.update([
        {
          before: row,
          next: {
            ...row,
            available: 9,
            total: 9,
            version: 1,
            lowStockThreshold: 99,
            maxStockLevel: 5,
            lastRestockedAt: later,
            updatedAt: later,
          },
          deltas: { available: 9, reserved: 0, damaged: 0, inTransit: 0 },
        },
      ]),
    );
    const [updated] = await store.reads.stockBySku('A');
    expect(updated).toEqual({
      ...row,
      available: 9,
      total: 9,
      version: 1,
      lastRestockedAt: later,
      updatedAt: later,
    });
    const evenLater = new Date(now.getTime() + 2000);
    const settings = { lowStockThreshold: 1, reorderPoint: 2, maxStockLevel: 50 };
    expect(
      await store.transaction((transaction) =>
        transaction.stock.updateSettings(row, settings, evenLater),
      ),
    ).toEqual({ applied: true });
    expect(await store.reads.stockBySku('A')).toEqual([
      { ...updated, ...settings, updatedAt: evenLater },
    ]);
    expect(
      await store.transaction((transaction) =>
        transaction.stock.updateSettings({ sku: 'B', warehouseId: 'paris' }, settings, evenLater),
      ),
    ).toEqual({ applied: false });
  });

  it('the schema refuses a negative quantity even when a write gets past the guards', async () => {
    const store = await openStore({ filename: tempFile() });
    await seedWarehouses(stockroomOver(store));
    const row = createStock({ sku: 'A', warehouseId: 'paris' }, now);
    await store.transaction((transaction) => transaction.stock.insert(row));
    const error = await store
      .transaction((transaction) =>
        transaction.stock.update([
          {
            before: row,
            next: { ...row, available: -1, total: -1, version: 1 },
            deltas: { available: -1, reserved: 0, damaged: 0, inTransit: 0 },
          },
        ]),
      )
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'SQLITE_CONSTRAINT_CHECK' });
    expect(await store.reads.stockBySku('A')).toMatchObject([{ available: 0, version: 0 }]);
  });

  it('reservation updates store changed lines (refunds) and keep the rest', async () => {
    const store = await openStore({ filename: tempFile() });
    const reservation: Reservation = {
      id: 'res_1',
      status: 'ACTIVE',
      orderId: 'o1',
      userId: null,
      lines: [
        { sku: 'A', warehouseId: 'paris', quantity: 2, refunded: 0 },
        { sku: 'B', warehouseId: 'london', quantity: 3, refunded: 0 },
      ],
      createdAt: now,
      expiresAt: new Date(now.getTime() + 60_000),
      committedAt: null,
      releasedAt: null,
      version: 1,
    };
    await store.transaction((transaction) => transaction.reservations.insert([reservation]));
    const committed: Reservation = {
      ...reservation,
      status: 'COMMITTED',
      committedAt: now,
      version: 2,
      lines: [reservation.lines[0]!, { ...reservation.lines[1]!, refunded: 2 }],
    };
    expect(
      await store.transaction((transaction) => transaction.reservations.update(committed, 2)),
    ).toEqual({ applied: false });
    expect(
      await store.transaction((transaction) => transaction.reservations.update(committed, 1)),
    ).toEqual({ applied: true });
    expect(await store.reads.reservation('res_1')).toEqual(committed);
    expect(
      await store.transaction((transaction) => transaction.reservations.listByOrder('o1')),
    ).toEqual([committed]);
    expect(await store.reads.activeHolds()).toEqual([]);
  });

  it('claimDue returns due ACTIVE reservations oldest expiry first, up to the limit', async () => {
    const store = await openStore({ filename: tempFile() });
    const make = (id: string, expiresInMs: number, status: Reservation['status'] = 'ACTIVE') => ({
      id,
      status,
      orderId: null,
      userId: null,
      lines: [{ sku: 'A', warehouseId: 'paris', quantity: 1, refunded: 0 }],
      createdAt: now,
      expiresAt: new Date(now.getTime() + expiresInMs),
      committedAt: null,
      releasedAt: null,
      version: 1,
    });
    await store.transaction((transaction) =>
      transaction.reservations.insert([
        make('res_c', 3000),
        make('res_a', 1000),
        make('res_b', 2000),
        make('res_done', 0, 'COMMITTED'),
        make('res_later', 60_000),
      ]),
    );
    const at = new Date(now.getTime() + 5000);
    const due = await store.transaction((transaction) => transaction.reservations.claimDue(at, 2));
    expect(due.map((reservation) => reservation.id)).toEqual(['res_a', 'res_b']);
    expect(due[0]?.lines).toEqual([{ sku: 'A', warehouseId: 'paris', quantity: 1, refunded: 0 }]);
    const all = await store.transaction((transaction) => transaction.reservations.claimDue(at, 10));
    expect(all.map((reservation) => reservation.id)).toEqual(['res_a', 'res_b', 'res_c']);
  });

  it('outbox positions keep increasing after the newest entries were delivered', async () => {
    const store = await openStore({ filename: tempFile() });
    const event = (id: string) => ({
      specversion: '1.0' as const,
      id,
      source: 'test',
      type: 'inventory.stock.updated' as const,
      subject: 'A',
      time: now.toISOString(),
      datacontenttype: 'application/json' as const,
      data: { sku: 'A', nested: { list: [1, 'two', null] } },
    });
    await store.transaction((transaction) =>
      transaction.outbox.append([event('e1'), event('e2'), event('e3')]),
    );
    const first = await store.transaction((transaction) => transaction.outbox.claim(10));
    expect(first.map((entry) => entry.event)).toEqual([event('e1'), event('e2'), event('e3')]);
    await store.transaction(async (transaction) => {
      await transaction.outbox.markFailed(['e1', 'e1', 'e3']);
      await transaction.outbox.markDelivered(['e2', 'e3']);
    });
    await store.transaction((transaction) => transaction.outbox.append([event('e4')]));
    const second = await store.transaction((transaction) => transaction.outbox.claim(10));
    expect(second.map((entry) => [entry.event.id, entry.attempts])).toEqual([
      ['e1', 1],
      ['e4', 0],
    ]);
    const positions = [...first, ...second].map((entry) => entry.position);
    expect(second[1]!.position > first[2]!.position).toBe(true);
    expect(positions.every((position) => /^\d{16}$/.test(position))).toBe(true);
    expect(await store.reads.outboxLag()).toEqual({ pending: 2, oldest: now });
  });

  it('pages the ledger by row and version, with until, and refuses a foreign cursor', async () => {
    const store = await openStore({ filename: tempFile() });
    const clock = new ManualClock(now);
    const stockroom = stockroomOver(store, clock);
    await seedWarehouses(stockroom);
    for (let index = 0; index < 3; index += 1) {
      for (const warehouseId of ['paris', 'london']) {
        clock.advance(1000);
        await stockroom.adjustments.adjust({ sku: 'A', warehouseId, type: 'RESTOCK', quantity: 1 });
      }
    }
    const cutoff = clock.now();
    clock.advance(1000);
    await stockroom.adjustments.adjust({
      sku: 'A',
      warehouseId: 'paris',
      type: 'RESTOCK',
      quantity: 1,
    });
    const pages = [];
    let cursor: string | null = null;
    do {
      const page = await store.reads.ledger({ sku: 'A' }, { limit: 2, cursor });
      pages.push(page.items.map((movement) => `${movement.warehouseId}:${movement.version}`));
      cursor = page.nextCursor;
    } while (cursor);
    expect(pages).toEqual([
      ['london:1', 'london:2'],
      ['london:3', 'paris:1'],
      ['paris:2', 'paris:3'],
      ['paris:4'],
    ]);
    const until = await readAll((page) => store.reads.ledger({ sku: 'A', until: cutoff }, page));
    expect(until.map((movement) => `${movement.warehouseId}:${movement.version}`)).toEqual([
      'london:1',
      'london:2',
      'london:3',
      'paris:1',
      'paris:2',
      'paris:3',
    ]);
    const paris = await readAll((page) =>
      store.reads.ledger({ sku: 'A', warehouseId: 'paris' }, { ...page, limit: 3 }),
    );
    expect(paris.map((movement) => movement.version)).toEqual([1, 2, 3, 4]);
    await expect(
      store.reads.movements({}, { cursor: Buffer.from('["x"]').toString('base64url') }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(store.reads.ledger({}, { cursor: 'not-a-cursor' })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
  });

  it('pages reservations by status oldest first', async () => {
    const store = await openStore({ filename: tempFile() });
    const clock = new ManualClock(now);
    const stockroom = stockroomOver(store, clock);
    await seedWarehouses(stockroom);
    await stockroom.adjustments.adjust({
      sku: 'A',
      warehouseId: 'paris',
      type: 'RESTOCK',
      quantity: 10,
    });
    const ids: string[] = [];
    for (let index = 0; index < 5; index += 1) {
      clock.advance(1000);
      ids.push((await stockroom.reservations.reserve({ items: [{ sku: 'A', quantity: 1 }] })).id);
    }
    await stockroom.reservations.release(ids[2]!);
    const active = await readAll((page) =>
      store.reads.reservationsByStatus('ACTIVE', { ...page, limit: 2 }),
    );
    expect(active.map((reservation) => reservation.id)).toEqual([ids[0], ids[1], ids[3], ids[4]]);
    const released = await store.reads.reservationsByStatus('RELEASED', {});
    expect(released).toMatchObject({ items: [{ id: ids[2], status: 'RELEASED' }], nextCursor: null });
  });
});

describe('durability', () => {
  async function snapshot(store: StockStore) {
    return {
      stock: await readAll((page) => store.reads.allStock(page)),
      ledger: await readAll((page) => store.reads.ledger({}, page)),
      movements: await readAll((page) => store.reads.movements({}, page)),
      reservations: await Promise.all(
        (['ACTIVE', 'COMMITTED', 'RELEASED', 'EXPIRED'] as const).map((status) =>
          readAll((page) => store.reads.reservationsByStatus(status, page)),
        ),
      ),
      holds: await store.reads.activeHolds(),
      warehouses: await readAll((page) => store.reads.warehouses(page)),
      occupancies: await store.reads.occupancies(),
      transfers: await readAll((page) => store.reads.transfers({}, page)),
      alerts: await readAll((page) => store.reads.alerts({}, page)),
      lowStock: await store.reads.lowStock(),
      outboxLag: await store.reads.outboxLag(),
      outbox: await store.transaction((transaction) => transaction.outbox.claim(1000)),
      idempotency: await store.transaction((transaction) =>
        transaction.idempotency.get('default', 'checkout-1'),
      ),
    };
  }

  async function writeEverything(stockroom: Stockroom, store: StockStore, clock: ManualClock) {
    await seedWarehouses(stockroom);
    const restock = (sku: string, warehouseId: string, quantity: number) =>
      stockroom.adjustments.adjust(
        { sku, warehouseId, type: 'RESTOCK', quantity },
        { actor: 'alice', reason: 'delivery', reference: 'PO-1' },
      );
    await restock('A', 'paris', 12);
    await restock('A', 'london', 4);
    await restock('B', 'berlin', 30);
    await stockroom.adjustments.updateSettings({
      sku: 'A',
      warehouseId: 'paris',
      lowStockThreshold: 8,
    });
    clock.advance(1000);
    const active = await stockroom.reservations.reserve(
      {
        items: [
          { sku: 'A', quantity: 6, warehouseId: 'paris' },
          { sku: 'B', quantity: 2 },
        ],
        orderId: 'order-1',
        userId: 'user-1',
      },
      { idempotencyKey: 'checkout-1' },
    );
    clock.advance(1000);
    const sold = await stockroom.reservations.reserve({
      items: [{ sku: 'A', quantity: 2, warehouseId: 'london' }],
      orderId: 'order-2',
    });
    await stockroom.reservations.commit(sold.id);
    await stockroom.orders.cancel('order-2', [{ sku: 'A', warehouseId: 'london', quantity: 1 }]);
    const released = await stockroom.reservations.reserve({ items: [{ sku: 'B', quantity: 1 }] });
    await stockroom.reservations.release(released.id);
    await store.transaction((transaction) =>
      transaction.transfers.insert({
        id: 'trf_1',
        sku: 'B',
        fromWarehouseId: 'berlin',
        toWarehouseId: 'paris',
        quantity: 5,
        status: 'INITIATED',
        createdAt: clock.now(),
        shippedAt: null,
        receivedAt: null,
        cancelledAt: null,
        version: 1,
      }),
    );
    return active;
  }

  for (const synchronous of ['NORMAL', 'FULL'] as const) {
    it(`everything written is there after close and reopen (synchronous ${synchronous})`, async () => {
      const filename = tempFile();
      const clock = new ManualClock(now);
      const store = await createSqliteStockStore({ filename, synchronous });
      const stockroom = stockroomOver(store, clock);
      const active = await writeEverything(stockroom, store, clock);
      const before = await snapshot(store);
      expect(before.reservations.map((list) => list.length)).toEqual([1, 1, 1, 0]);
      expect(before.alerts.map((alert) => [alert.sku, alert.warehouseId])).toEqual([
        ['A', 'paris'],
        ['A', 'london'],
      ]);
      expect(before.outbox.length).toBeGreaterThan(10);
      expect(before.idempotency).not.toBeNull();
      await stockroom.close();

      const reopened = await openStore({ filename, synchronous });
      expect(await snapshot(reopened)).toEqual(before);
      expect(await replayLedger(reopened)).toEqual([]);
      expect(await reservedMismatches(reopened)).toEqual([]);
      // The idempotency record survived too: the same keyed request replays the first result.
      const again = stockroomOver(reopened, clock);
      const replay = await again.reservations.reserve(
        {
          items: [
            { sku: 'A', quantity: 6, warehouseId: 'paris' },
            { sku: 'B', quantity: 2 },
          ],
          orderId: 'order-1',
          userId: 'user-1',
        },
        { idempotencyKey: 'checkout-1' },
      );
      expect(replay).toEqual(active);
      expect((await snapshot(reopened)).ledger).toEqual(before.ledger);
    });
  }
});

describe('two processes on one file', () => {
  const worker = fileURLToPath(new URL('./fixtures/reserve-worker.ts', import.meta.url));
  const packageDir = fileURLToPath(new URL('..', import.meta.url));

  function startWorker(filename: string, sku: string, count: number, paceMs: number) {
    const child = fork(worker, [filename, sku, String(count), 'child', String(paceMs)], {
      cwd: packageDir,
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, TSX_TSCONFIG_PATH: join(packageDir, 'tsconfig.json') },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    cleanups.push(() => {
      child.removeAllListeners();
      if (child.exitCode === null) child.kill();
    });
    return child;
  }

  function nextMessage<T>(child: ChildProcess): Promise<T> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`worker exited with ${code}`));
      child.once('exit', onExit);
      child.once('message', (message) => {
        child.off('exit', onExit);
        resolve(message as T);
      });
    });
  }

  for (const { mode, paceMs } of [
    { mode: 'all at once', paceMs: 0 },
    { mode: 'one request per ms', paceMs: 1 },
  ]) {
    it(`reserving the same SKU from two processes never oversells (${mode})`, async () => {
      const filename = tempFile();
      const stock = 150;
      const perProcess = 200;
      const store = await openStore({ filename });
      const stockroom = createStockroom({
        store,
        policies: {
          // One reservation per transaction, so the processes contend for the lock every time.
          reservations: { maxBatchSize: 1 },
          retry: { maxAttempts: 1000, deadlineMs: 60_000 },
        },
      });
      await seedWarehouses(stockroom);
      await stockroom.adjustments.adjust({
        sku: 'HOT',
        warehouseId: 'paris',
        type: 'RESTOCK',
        quantity: stock,
      });

      const child = startWorker(filename, 'HOT', perProcess, paceMs);
      await nextMessage<{ kind: 'ready' }>(child);
      const childDone = nextMessage<WorkerReport>(child);
      const started = performance.now();
      child.send({ kind: 'go' });
      const results = await reserveMany(
        () =>
          stockroom.reservations.reserve(
            { items: [{ sku: 'HOT', quantity: 1 }] },
            { actor: 'parent' },
          ),
        perProcess,
        paceMs,
      );
      const report = await childDone;
      const elapsedMs = performance.now() - started;

      const admitted = results.filter((result) => result.status === 'fulfilled').length;
      const refusals = results.flatMap((result) =>
        result.status === 'rejected' ? [String((result.reason as { code?: string }).code)] : [],
      );
      expect(admitted + report.admitted).toBe(stock);
      expect(new Set([...refusals, ...report.refusals])).toEqual(new Set(['INSUFFICIENT_STOCK']));
      expect(refusals.length + report.refusals.length).toBe(2 * perProcess - stock);
      expect(await store.reads.stockBySku('HOT')).toMatchObject([
        { available: 0, reserved: stock, total: stock, version: stock + 1 },
      ]);
      expect(await replayLedger(store)).toEqual([]);
      expect(await reservedMismatches(store)).toEqual([]);
      const movements = await readAll((page) => store.reads.ledger({ sku: 'HOT' }, page));
      const actors = movements
        .filter((movement) => movement.type === 'RESERVATION')
        .map((movement) => movement.actor);
      expect(actors.filter((actor) => actor === 'parent')).toHaveLength(admitted);
      expect(actors.filter((actor) => actor === 'child')).toHaveLength(report.admitted);
      if (paceMs > 0) {
        // Arrivals spread over time from both processes: both get stock.
        expect(admitted).toBeGreaterThan(0);
        expect(report.admitted).toBeGreaterThan(0);
      }
      // How interleaved the processes were, in ledger order (printed for the report).
      const handovers = actors.filter((actor, index) => index > 0 && actor !== actors[index - 1]);
      process.stdout.write(
        `[two processes, ${mode}] parent ${admitted}, child ${report.admitted}, ` +
          `lock hand-overs ${handovers.length}, ${elapsedMs.toFixed(0)} ms, ` +
          `conflicts retried in parent ${stockroom.stats.conflicts}\n`,
      );
    });
  }
});
