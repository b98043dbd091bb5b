import {
  type CloudEvent,
  createStock,
  createStockroom,
  type InventoryStock,
  type Movement,
  type StockStore,
} from '@stockroom/core';
import { seedWarehouses } from '@stockroom/core/testing';
import { describe, expect, it } from 'vitest';
import { ROWS_PER_INSERT } from '../src/sqlite-bulk-writes.js';
import { now, openDatabase, openStore, stockroomOver, tempFile } from './fixtures/temp-store.js';

// The bulk import's set-based writes on SQLite (`transaction.bulk`): rows and movements bound
// column by column, the outbox's stored form, the guarded update.

const later = new Date(now.getTime() + 60_000);
const warehouses = ['paris', 'london', 'berlin'];

/** A write of `change` units of available to `row`, expected at `expectedVersion`. */
function write(row: InventoryStock, change: number, expectedVersion = row.version) {
  return {
    before: { ...row, version: expectedVersion },
    next: {
      ...row,
      available: row.available + change,
      total: row.total + change,
      version: row.version + 1,
      updatedAt: later,
    },
    deltas: { available: change, reserved: 0, damaged: 0, inTransit: 0, backordered: 0 },
  };
}

/** Runs `work` in a transaction that the caller's rule rolls back when it was not applied. */
async function guarded(
  store: StockStore,
  work: Parameters<StockStore['transaction']>[0],
): Promise<unknown> {
  const refused = new Error('not applied: roll back');
  try {
    return await store.transaction(async (transaction) => {
      const outcome = await work(transaction);
      if ((outcome as { applied?: boolean }).applied === false) throw refused;
      return outcome;
    });
  } catch (error) {
    if (error === refused) return { applied: false };
    throw error;
  }
}

describe('bulk writes: the guarded update', () => {
  it('refuses a chunk with a row not at its expected version (written or unchanged), and the rollback leaves every row as it was', async () => {
    const store = await openStore({ filename: tempFile() });
    await seedWarehouses(stockroomOver(store));
    const rows = warehouses.map((warehouseId) => ({
      ...createStock({ sku: 'GUARD', warehouseId }, now),
      available: 5,
      total: 5,
    }));
    await store
      .transaction(async (transaction) => {
        expect(await transaction.bulk!.insertStock(rows)).toEqual({ applied: true });
        expect(await transaction.bulk!.insertStock([rows[0]!])).toEqual({ applied: false });
        throw new Error('undo the second insert attempt');
      })
      .catch(() => undefined);
    await store.transaction(async (transaction) => {
      await transaction.bulk!.insertStock(rows);
    });
    const [first, second, third] = rows as [InventoryStock, InventoryStock, InventoryStock];
    for (const [writes, unchanged] of [
      [[write(first, 2), write(second, 3, 7)], [third]],
      [[write(first, 2)], [{ ...third, version: 4 }]],
    ] as const) {
      expect(
        await guarded(store, (transaction) => transaction.bulk!.updateStock(writes, unchanged)),
      ).toEqual({ applied: false });
    }
    expect(
      (await store.reads.stockBySku('GUARD')).map((row) => [row.available, row.version]),
    ).toEqual([
      [5, 0],
      [5, 0],
      [5, 0],
    ]);

    expect(
      await guarded(store, (transaction) =>
        transaction.bulk!.updateStock([write(second, -5), write(first, 4)], [third]),
      ),
    ).toEqual({ applied: true });
    expect(
      (await store.reads.stockBySku('GUARD')).map((row) => [
        row.warehouseId,
        row.available,
        row.total,
        row.version,
      ]),
    ).toEqual([
      ['berlin', 5, 5, 0],
      ['london', 0, 0, 1],
      ['paris', 9, 9, 1],
    ]);
  });
});

describe('bulk writes: what is stored reads back equal', () => {
  it('writes stock rows and movements with every column set (nulls, times, texts) and reads them back as written', async () => {
    const store = await openStore({ filename: tempFile() });
    await seedWarehouses(stockroomOver(store));
    const restocked = new Date('1969-07-20T20:17:40.123Z');
    const row: InventoryStock = {
      ...createStock({ sku: "it's-100%", warehouseId: 'paris' }, now, {
        lowStockThreshold: 3,
        reorderPoint: 7,
        maxStockLevel: 500,
        safetyStock: 2,
      }),
      available: 11,
      reserved: 4,
      damaged: 1,
      inTransit: 6,
      backordered: 2,
      total: 22,
      version: 3,
      lastRestockedAt: restocked,
      lastSoldAt: later,
      updatedAt: later,
    };
    const bare = createStock({ sku: 'plain', warehouseId: 'london' }, now);
    const movements: Movement[] = [
      {
        id: 'mov_full',
        sku: row.sku,
        warehouseId: row.warehouseId,
        type: 'ADJUSTMENT',
        deltas: { available: -3, reserved: 4, damaged: 1, inTransit: 6, backordered: 2 },
        after: { available: 11, reserved: 4, damaged: 1, inTransit: 6, backordered: 2 },
        version: 3,
        reservationId: 'res_1',
        orderId: 'order "7"',
        transferId: 'tr_1',
        reference: 'ref\\1',
        idempotencyKey: 'key-1',
        actor: 'é-actor',
        reason: '',
        createdAt: later,
      },
      {
        id: 'mov_bare',
        sku: bare.sku,
        warehouseId: bare.warehouseId,
        type: 'RESTOCK',
        deltas: { available: 0, reserved: 0, damaged: 0, inTransit: 0, backordered: 0 },
        after: { available: 0, reserved: 0, damaged: 0, inTransit: 0, backordered: 0 },
        version: 1,
        reservationId: null,
        orderId: null,
        transferId: null,
        reference: null,
        idempotencyKey: null,
        actor: null,
        reason: null,
        createdAt: now,
      },
    ];
    await store.transaction(async (transaction) => {
      expect(await transaction.bulk!.insertStock([row, bare])).toEqual({ applied: true });
      await transaction.bulk!.appendMovements(movements);
    });
    expect(await store.reads.stockBySku(row.sku)).toEqual([row]);
    expect(await store.reads.stockBySku(bare.sku)).toEqual([bare]);
    const stored = (await store.reads.movements({}, { limit: 10 })).items;
    expect([...stored].sort((left, right) => left.id.localeCompare(right.id))).toEqual([
      movements[1],
      movements[0],
    ]);
  });

  it('stores events without the fields the outbox row implies, and claims them whole, in CloudEvents order (rows stored whole too)', async () => {
    const filename = tempFile();
    const store = await openStore({ filename });
    const event = (id: string, time: string, subject = 'SKU-1'): CloudEvent => ({
      specversion: '1.0',
      id,
      source: 'stockroom/test',
      type: 'inventory.stock.updated',
      subject,
      time,
      datacontenttype: 'application/json',
      data: { sku: subject, available: 3, note: 'quote " and \\ backslash' },
    });
    const bulkEvents = [
      event('evt_1', '2026-03-01T12:00:00.000Z'),
      event('evt_2', '2026-03-01T12:00:00.000Z', 'SKU-2'),
      // Not the text its milliseconds give back: kept in the stored event.
      event('evt_3', '2026-03-01T12:00:01Z'),
    ];
    const rowEvents = [
      event('evt_4', '2026-03-01T12:00:02.500Z'),
      event('evt_5', '2026-03-01T12:00:03+00:00'),
    ];
    await store.transaction(async (transaction) => {
      await transaction.bulk!.appendEvents(bulkEvents);
      await transaction.outbox.append(rowEvents);
    });
    // A row written by an earlier version holds the whole event.
    const legacy = event('evt_6', '2026-03-01T12:00:04.000Z');
    openDatabase(filename)
      .prepare('INSERT INTO outbox (event_id, event, event_time) VALUES (?, ?, ?)')
      .run(legacy.id, JSON.stringify(legacy), Date.parse(legacy.time));

    const texts = openDatabase(filename)
      .prepare('SELECT event_id, event FROM outbox ORDER BY position')
      .all() as { event_id: string; event: string }[];
    expect(JSON.parse(texts[0]!.event)).toEqual({
      source: 'stockroom/test',
      type: 'inventory.stock.updated',
      subject: 'SKU-1',
      data: bulkEvents[0]!.data,
    });
    expect(JSON.parse(texts[2]!.event).time).toBe('2026-03-01T12:00:01Z');
    expect(JSON.parse(texts[3]!.event).time).toBeUndefined();
    expect(JSON.parse(texts[4]!.event).time).toBe('2026-03-01T12:00:03+00:00');

    const claimed = await store.transaction((transaction) => transaction.outbox.claim(10));
    const all = [...bulkEvents, ...rowEvents, legacy];
    expect(claimed.map((entry) => entry.event)).toEqual(all);
    for (const entry of claimed) {
      expect(Object.keys(entry.event)).toEqual([
        'specversion',
        'id',
        'source',
        'type',
        'subject',
        'time',
        'datacontenttype',
        'data',
      ]);
    }
  });
});

describe('bulk writes: many rows a statement', () => {
  /** The `n`-th ADJUSTMENT of a SKU of its own, at version 1. */
  const movement = (n: number, available = n): Movement => ({
    id: `mov_${String(n).padStart(4, '0')}`,
    sku: `MANY-${String(n).padStart(4, '0')}`,
    warehouseId: 'paris',
    type: 'ADJUSTMENT',
    deltas: { available, reserved: 0, damaged: 0, inTransit: 0, backordered: 0 },
    after: { available, reserved: 0, damaged: 0, inTransit: 0, backordered: 0 },
    version: 1,
    reservationId: null,
    orderId: n % 2 === 0 ? `order-${n}` : null,
    transferId: null,
    reference: null,
    idempotencyKey: null,
    actor: null,
    reason: 'bulk update (set)',
    createdAt: new Date(now.getTime() + n),
  });
  const event = (n: number): CloudEvent => ({
    specversion: '1.0',
    id: `evt_${String(n).padStart(4, '0')}`,
    source: 'stockroom',
    type: 'inventory.stock.updated',
    subject: `MANY-${n}`,
    // A new time every 40 events, so statements mix times (and one is kept as written).
    time:
      n === 77
        ? '2026-03-01T12:00:01Z'
        : new Date(now.getTime() + Math.floor(n / 40)).toISOString(),
    datacontenttype: 'application/json',
    data: { sku: `MANY-${n}`, available: n },
  });
  // Two whole statements and a rest written one row at a time.
  const count = 2 * ROWS_PER_INSERT + 7;

  it('writes every movement and event of a long list, in order, across whole statements and the rest', async () => {
    const filename = tempFile();
    const store = await openStore({ filename });
    const movements = Array.from({ length: count }, (_unused, n) => movement(n));
    const events = Array.from({ length: count }, (_unused, n) => event(n));
    await store.transaction(async (transaction) => {
      await transaction.bulk!.appendMovements(movements);
      await transaction.bulk!.appendEvents(events);
    });
    const stored = (await store.reads.movements({}, { limit: 500 })).items;
    expect([...stored].sort((left, right) => left.id.localeCompare(right.id))).toEqual(movements);
    const ids = openDatabase(filename).prepare('SELECT id FROM movements ORDER BY rowid').all() as {
      id: string;
    }[];
    expect(ids.map((row) => row.id)).toEqual(movements.map((row) => row.id));
    const claimed = await store.transaction((transaction) => transaction.outbox.claim(500));
    expect(claimed.map((entry) => entry.event)).toEqual(events);
  });

  it('fails on a row refused in the middle of a statement with the constraint error, and the rollback keeps none of its rows', async () => {
    const filename = tempFile();
    const store = await openStore({ filename });
    const movements = Array.from({ length: count }, (_unused, n) =>
      n === ROWS_PER_INSERT + 3 ? movement(n, -1) : movement(n),
    );
    await expect(
      store.transaction((transaction) => transaction.bulk!.appendMovements(movements)),
    ).rejects.toMatchObject({ code: 'SQLITE_CONSTRAINT_CHECK' });
    const events = Array.from({ length: count }, (_unused, n) => event(n));
    events[ROWS_PER_INSERT + 5] = events[3]!;
    await expect(
      store.transaction((transaction) => transaction.bulk!.appendEvents(events)),
    ).rejects.toMatchObject({ code: 'SQLITE_CONSTRAINT_UNIQUE' });
    const counted = openDatabase(filename)
      .prepare(
        'SELECT (SELECT count(*) FROM movements) AS movements, (SELECT count(*) FROM outbox) AS events',
      )
      .get();
    expect(counted).toEqual({ movements: 0, events: 0 });
    // The connection is still usable: the next transaction writes them all.
    await store.transaction((transaction) =>
      transaction.bulk!.appendMovements(
        movements.map((row, n) => (row.after.available < 0 ? movement(n) : row)),
      ),
    );
    expect((await store.reads.movements({}, { limit: 500 })).items).toHaveLength(count);
  });
});

describe('bulk writes: the process between chunks', () => {
  it('lets a reservation made while an import runs commit between its chunks, not after its last', async () => {
    const filename = tempFile();
    const store = await openStore({ filename });
    const stockroom = createStockroom({ store, policies: { bulkBatchSize: 500 } });
    await seedWarehouses(stockroom);
    await stockroom.adjustments.adjust({
      sku: 'HOT',
      warehouseId: 'paris',
      type: 'RESTOCK',
      quantity: 5,
    });
    const order: string[] = [];
    let reserved: Promise<unknown> | undefined;
    async function* items() {
      for (let index = 0; index < 5000; index += 1) {
        // Scheduled for the event loop's next turn once the import has begun: with SQLite's
        // synchronous driver that turn comes only where the import yields it.
        if (index === 0) {
          setImmediate(() => {
            reserved = stockroom.reservations
              .reserve({ items: [{ sku: 'HOT', quantity: 1 }] })
              .then(() => order.push('reservation'));
          });
        }
        yield { sku: `ROW-${index}`, warehouseId: warehouses[index % 3]!, quantity: 1 };
      }
    }
    const result = await stockroom.adjustments.bulkUpdate({
      mode: 'set',
      atomic: false,
      items: items(),
    });
    order.push('import');
    await reserved;

    expect(result).toEqual({ applied: 5000, failed: [] });
    expect(order).toEqual(['reservation', 'import']);
    const check = openDatabase(filename);
    const movements = check
      .prepare('select sku from movements order by rowid')
      .pluck()
      .all() as string[];
    const at = movements.lastIndexOf('HOT');
    // The reservation's movement sits between the import's: after its first chunk, before its last.
    expect(movements.slice(at + 1).filter((sku) => sku.startsWith('ROW-')).length).toBeGreaterThan(
      0,
    );
    expect(
      movements.slice(0, at).filter((sku) => sku.startsWith('ROW-')).length,
    ).toBeGreaterThanOrEqual(500);
  });
});
