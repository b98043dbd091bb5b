import {
  createStock,
  type Logger,
  ManualClock,
  type Reservation,
  silentLogger,
} from '@stockroom/core';
import { readAll, seedWarehouses } from '@stockroom/core/testing';
import { describe, expect, it } from 'vitest';
import { now, openDatabase, openStore, stockroomOver, tempFile } from './fixtures/temp-store.js';

// The SQLite transaction beyond the contract suite: serialisation, the read connection,
// SQLITE_BUSY, all-or-nothing updates, schema guards, line updates, claims, outbox positions
// and keyset paging.

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
      deltas: { available: 4, reserved: 0, damaged: 0, inTransit: 0, backordered: 0 },
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
          deltas: { available: 9, reserved: 0, damaged: 0, inTransit: 0, backordered: 0 },
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
    const settings = { lowStockThreshold: 1, reorderPoint: 2, maxStockLevel: 50, safetyStock: 4 };
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
            deltas: { available: -1, reserved: 0, damaged: 0, inTransit: 0, backordered: 0 },
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
        {
          sku: 'A',
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
          sku: 'B',
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
      lines: [reservation.lines[0]!, { ...reservation.lines[1]!, refunded: 2, backordered: 0 }],
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
      lines: [
        {
          sku: 'A',
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
    expect(due[0]?.lines).toEqual([
      {
        sku: 'A',
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
    ]);
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
    expect(released).toMatchObject({
      items: [{ id: ids[2], status: 'RELEASED' }],
      nextCursor: null,
    });
  });
});
