import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createStockroom, ManualClock, type Stockroom, type StockStore } from '@stockroom/core';
import { readAll, replayLedger, reservedMismatches, seedWarehouses } from '@stockroom/core/testing';
import type Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createSqliteStockStore, MIGRATION_TABLE, migrateToLatest } from '../src/index.js';
import { reserveMany } from './fixtures/reserve-many.js';
import type { WorkerReport } from './fixtures/reserve-worker.js';
import { now, openDatabase, openStore, stockroomOver, tempFile } from './fixtures/temp-store.js';
import { nextMessage, startWorkerProcess } from './fixtures/worker-process.js';

const EXPECTED_TABLES = [
  'idempotency_keys',
  'kit_components',
  'kits',
  'incoming_receipts',
  'ledger_checkpoints',
  'ledger_horizon',
  'low_stock_alerts',
  'movements',
  'outbox',
  'reservation_lines',
  'reservations',
  'sales_channels',
  'sku_policies',
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
  'kit_components_by_component',
  'incoming_receipts_by_sku',
  'incoming_receipts_by_warehouse',
  'ledger_checkpoints_by_time',
  'movements_by_sku',
  'movements_by_time',
  'movements_by_warehouse',
  'movements_ledger',
  'reservation_lines_by_sku',
  'reservation_lines_by_warehouse',
  'reservations_by_created',
  'reservation_lines_by_receipt',
  'reservation_lines_waiting',
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
    expect(await migrateToLatest(database)).toEqual({
      executed: [
        '0001_initial_schema',
        '0002_ledger_history',
        '0003_table_names',
        '0004_sellability',
        '0005_sales_channels',
        '0006_damaged_unit_movements',
        '0007_backorders',
        '0008_incoming_receipts',
        '0009_hold_parts',
        '0010_reservation_listing',
        '0011_kits',
        '0012_reservation_indexes',
      ],
    });
    const schema = schemaOf(database);
    expect(
      schema
        .filter((item) => item.type === 'table')
        .map((item) => item.name)
        .sort(),
    ).toEqual([...EXPECTED_TABLES].sort());
    expect(
      schema
        .filter((item) => item.type === 'index')
        .map((item) => item.name)
        .sort(),
    ).toEqual([...EXPECTED_INDEXES].sort());
    expect(schema.find((item) => item.name === 'alerts_one_open')?.sql).toContain(
      "WHERE status <> 'RESOLVED'",
    );
    expect(schema.find((item) => item.name === 'reservations_due')?.sql).toContain(
      '(status, expires_at, id)',
    );
    expect(schema.find((item) => item.name === 'movements_by_sku')?.sql).toContain(
      '(sku, created_at, id)',
    );
    expect(schema.find((item) => item.name === 'stock')?.sql).toContain('CHECK (available >= 0)');

    expect(await migrateToLatest(database)).toEqual({ executed: [] });
    expect(schemaOf(database)).toEqual(schema);
    expect(database.prepare(`SELECT name FROM ${MIGRATION_TABLE} ORDER BY name`).all()).toEqual([
      { name: '0001_initial_schema' },
      { name: '0002_ledger_history' },
      { name: '0003_table_names' },
      { name: '0004_sellability' },
      { name: '0005_sales_channels' },
      { name: '0006_damaged_unit_movements' },
      { name: '0007_backorders' },
      { name: '0008_incoming_receipts' },
      { name: '0009_hold_parts' },
      { name: '0010_reservation_listing' },
      { name: '0011_kits' },
      { name: '0012_reservation_indexes' },
    ]);
  });

  it('two connections migrating one new file at once apply each migration once', async () => {
    const filename = tempFile();
    const first = openDatabase(filename);
    const second = openDatabase(filename);
    // One thread: a connection waiting in busy_timeout blocks the other, so keep it short and
    // let migrateToLatest's retry wait asynchronously.
    for (const database of [first, second]) database.pragma('busy_timeout = 20');
    const results = await Promise.all([migrateToLatest(first), migrateToLatest(second)]);
    expect(results.flatMap((result) => result.executed)).toEqual([
      '0001_initial_schema',
      '0002_ledger_history',
      '0003_table_names',
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

  it('sets the page cache to cacheSizeKib, and leaves the driver default without it', async () => {
    const sized = openDatabase(tempFile());
    await openStore({ database: sized, cacheSizeKib: 2000 });
    expect(sized.pragma('cache_size', { simple: true })).toBe(-2000);
    const plain = openDatabase(tempFile());
    await openStore({ database: plain });
    expect(plain.pragma('cache_size', { simple: true })).toBe(-16000);
  });

  it('refuses a page cache that is not a positive integer', async () => {
    for (const cacheSizeKib of [0, -5, 1.5, Number.NaN]) {
      await expect(createSqliteStockStore({ filename: tempFile(), cacheSizeKib })).rejects.toThrow(
        RangeError,
      );
    }
  });

  it('refuses a negative busy timeout', async () => {
    await expect(
      createSqliteStockStore({ filename: tempFile(), busyTimeoutMs: -1 }),
    ).rejects.toThrow(RangeError);
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

  it('works on an in-memory database through its one connection', async () => {
    const store = await createSqliteStockStore({ filename: ':memory:' });
    const stockroom = stockroomOver(store);
    await seedWarehouses(stockroom);
    await stockroom.adjustments.adjust({
      sku: 'A',
      warehouseId: 'paris',
      type: 'RESTOCK',
      quantity: 2,
    });
    await stockroom.reservations.reserve({ items: [{ sku: 'A', quantity: 1 }] });
    expect(await store.reads.stockBySku('A')).toMatchObject([{ available: 1, reserved: 1 }]);
    expect(await store.reads.reservationsByStatus('ACTIVE', {})).toMatchObject({
      items: [{ lines: [{ sku: 'A', quantity: 1 }] }],
    });
    await store.close();
    await expect(store.ping()).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
  });

  it('a file that is not a database is STORE_UNAVAILABLE', async () => {
    const filename = tempFile();
    await writeFile(
      filename,
      'this is not a database, just some text that is long enough '.repeat(4),
    );
    await expect(createSqliteStockStore({ filename })).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
    });
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
  function startWorker(
    filename: string,
    sku: string,
    count: number,
    paceMs: number,
    end: 'close' | 'stay' = 'close',
  ) {
    return startWorkerProcess('reserve-worker.ts', [
      filename,
      sku,
      String(count),
      'child',
      String(paceMs),
      end,
    ]);
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

  it('a process killed with SIGKILL loses nothing it committed', async () => {
    const filename = tempFile();
    const setup = await createSqliteStockStore({ filename });
    const stockroom = stockroomOver(setup);
    await seedWarehouses(stockroom);
    await stockroom.adjustments.adjust({
      sku: 'HOT',
      warehouseId: 'paris',
      type: 'RESTOCK',
      quantity: 1000,
    });
    await stockroom.close();

    const child = startWorker(filename, 'HOT', 300, 0, 'stay');
    await nextMessage<{ kind: 'ready' }>(child);
    const done = nextMessage<WorkerReport>(child);
    child.send({ kind: 'go' });
    const report = await done;
    expect(report).toMatchObject({ admitted: 300, refusals: [] });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    // The child never closed its connections: its commits are only in the WAL, and recovery
    // on the next open must find all of them.
    expect(existsSync(`${filename}-wal`)).toBe(true);

    const store = await openStore({ filename });
    expect(await store.reads.stockBySku('HOT')).toMatchObject([
      { available: 700, reserved: 300, version: 301 },
    ]);
    expect((await store.reads.reservationsByStatus('ACTIVE', { limit: 1000 })).items).toHaveLength(
      300,
    );
    expect(await replayLedger(store)).toEqual([]);
    expect(await reservedMismatches(store)).toEqual([]);
  });
});
