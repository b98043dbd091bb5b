import {
  type CloudEvent,
  createStock,
  EventType,
  type InventoryStock,
  type Movement,
} from '@stockroom/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PostgresStockStore } from '../src/index.js';
import { dropSchema, freshStore, skipReason } from './support.js';

describe.skipIf(skipReason)('PostgreSQL bulk writes: outbox events', () => {
  let store: PostgresStockStore;

  beforeAll(async () => {
    store = await freshStore('bulk_writes_outbox');
  });

  afterAll(async () => {
    if (!store) return;
    await store.close();
    await dropSchema(store.schema);
  });

  it('stores every event as sent, in order, with its id, subject, type and time', async () => {
    // Quotes, backslashes and non-ASCII text: what an array literal would have had to escape.
    const events: CloudEvent[] = Array.from({ length: 2500 }, (_unused, index) => ({
      specversion: '1.0',
      id: `evt-${String(index).padStart(5, '0')}`,
      source: 'stockroom/test',
      type: EventType.STOCK_UPDATED,
      subject: `SKU-"${index}"\\ü`,
      // Every 7th time is a text a timestamptz does not give back as it is (kept in the event).
      time:
        index % 7 === 0
          ? `2026-01-01T00:00:${String(Math.floor(index / 7) % 60).padStart(2, '0')}Z`
          : new Date(Date.UTC(2026, 0, 1, 0, 0, 0, index)).toISOString(),
      datacontenttype: 'application/json',
      data: { note: `line "${index}"\n\\ {}`, quantity: index, nested: { list: [1, null, 'x'] } },
    }));
    await store.transaction(async (transaction) => {
      if (!transaction.bulk) throw new Error('the PostgreSQL store offers bulk writes');
      await transaction.bulk.appendEvents(events.slice(0, 1200));
      await transaction.bulk.appendEvents(events.slice(1200));
    });
    const claimed = await store.transaction((transaction) => transaction.outbox.claim(5000));
    expect(claimed.map((entry) => entry.event)).toEqual(events);
    // The event_time column (the lag's oldest) is the first event's time.
    expect(await store.reads.outboxLag()).toEqual({
      pending: events.length,
      oldest: new Date(events[0]!.time),
    });
  });
});

describe.skipIf(skipReason)('PostgreSQL bulk writes: rows as array literals', () => {
  let store: PostgresStockStore;

  beforeAll(async () => {
    store = await freshStore('bulk_writes_literals');
  });

  afterAll(async () => {
    if (!store) return;
    await store.close();
    await dropSchema(store.schema);
  });

  // What an array literal must quote or escape, and times on both sides of 1970 and far ahead.
  const texts = [
    'plain',
    'a "quoted" one',
    'back\\slash\\',
    'NULL',
    '',
    ' spaced , {braces} ',
    'ü€😀',
    'null',
    'Null',
    'tab\there',
    '[0:1]',
    "it's [x]",
  ];
  const times = [
    new Date(Date.UTC(2026, 11, 6, 15, 0, 0, 123)),
    new Date(Date.UTC(1969, 11, 31, 23, 59, 58, 500)),
    new Date(Date.UTC(9999, 11, 31, 23, 59, 59, 999)),
    new Date(0),
  ];

  it('stores stock rows and movements exactly as given (texts, nulls, times to the millisecond)', async () => {
    const rows: InventoryStock[] = texts.map((text, index) => ({
      ...createStock({ sku: `SKU ${text}`, warehouseId: `wh ${text}` }, times[index % 4]!),
      available: 2 ** 40 + index,
      total: 2 ** 40 + index,
      maxStockLevel: index % 2 === 0 ? null : 2 ** 41,
      lastRestockedAt: index % 3 === 0 ? null : times[(index + 1) % 4]!,
      lastSoldAt: index % 3 === 1 ? null : times[(index + 2) % 4]!,
      updatedAt: times[(index + 3) % 4]!,
    }));
    const movements: Movement[] = rows.map((row, index) => ({
      id: `mv-${index}`,
      sku: row.sku,
      warehouseId: row.warehouseId,
      type: 'ADJUSTMENT',
      deltas: { available: row.available, reserved: 0, damaged: 0, inTransit: 0, backordered: 0 },
      after: { available: row.available, reserved: 0, damaged: 0, inTransit: 0, backordered: 0 },
      version: 1,
      reservationId: null,
      orderId: index % 2 === 0 ? null : texts[index]!,
      transferId: null,
      reference: texts[(index + 1) % texts.length]!,
      idempotencyKey: null,
      actor: texts[index]!,
      reason: index % 2 === 1 ? null : texts[index]!,
      createdAt: times[index % 4]!,
    }));
    await store.transaction(async (transaction) => {
      if (!transaction.bulk) throw new Error('the PostgreSQL store offers bulk writes');
      expect(await transaction.bulk.insertStock(rows)).toEqual({ applied: true });
      await transaction.bulk.appendMovements(movements);
    });
    for (const [index, row] of rows.entries()) {
      expect(await store.reads.stockBySku(row.sku)).toEqual([row]);
      const listed = await store.reads.movements({ sku: row.sku }, {});
      expect(listed.items).toEqual([movements[index]]);
    }
  });
});

for (const partitions of [0, 4]) {
  describe.skipIf(skipReason)(
    `PostgreSQL bulk writes: the guarded update (${partitions > 0 ? `partitioned ×${partitions}` : 'plain'})`,
    () => {
      let store: PostgresStockStore;
      const now = new Date(Date.UTC(2026, 0, 1));
      const later = new Date(Date.UTC(2026, 0, 2));
      const warehouses = ['wh-1', 'wh-2', 'wh-3'];
      const rows = warehouses.map((warehouseId) => ({
        ...createStock({ sku: 'GUARD', warehouseId }, now),
        available: 5,
        total: 5,
      }));
      const write = (row: InventoryStock, change: number, expectedVersion = row.version) => {
        const next: InventoryStock = {
          ...row,
          available: row.available + change,
          total: row.total + change,
          version: row.version + 1,
          updatedAt: later,
        };
        return {
          before: { ...row, version: expectedVersion },
          next,
          deltas: { available: change, reserved: 0, damaged: 0, inTransit: 0, backordered: 0 },
        };
      };
      const stored = () =>
        store.transaction(async (transaction) => transaction.stock.read(['GUARD']));

      beforeAll(async () => {
        store = await freshStore(`bulk_guard_p${partitions}`, { partitions });
        await store.transaction(async (transaction) => {
          expect(await transaction.bulk!.insertStock(rows)).toEqual({ applied: true });
        });
        // A second insert of an existing row (a concurrent creation) fails its transaction with
        // a retryable VERSION_CONFLICT, and nothing of that transaction stays.
        const other = { ...rows[0]!, sku: 'GUARD-OTHER' };
        await expect(
          store.transaction((transaction) => transaction.bulk!.insertStock([other, rows[0]!])),
        ).rejects.toMatchObject({ code: 'VERSION_CONFLICT', retryable: true });
        expect(await store.reads.stockBySku('GUARD-OTHER')).toEqual([]);
      }, 30_000);

      afterAll(async () => {
        if (!store) return;
        await store.close();
        await dropSchema(store.schema);
      });

      it('writes nothing when one row is not at its expected version, or would go negative', async () => {
        const [first, second, third] = rows as [InventoryStock, InventoryStock, InventoryStock];
        for (const writes of [
          [write(first, 2), write(second, 3, 7)],
          [write(first, 2), write(second, -6)],
        ]) {
          const outcome = await store.transaction((transaction) =>
            transaction.bulk!.updateStock(writes, [third]),
          );
          expect(outcome).toEqual({ applied: false });
        }
        // An unchanged row that moved since it was read fails the chunk as well.
        const stale = await store.transaction((transaction) =>
          transaction.bulk!.updateStock([write(first, 2)], [{ ...third, version: 4 }]),
        );
        expect(stale).toEqual({ applied: false });
        expect((await stored()).map((row) => [row.available, row.version])).toEqual([
          [5, 0],
          [5, 0],
          [5, 0],
        ]);
      });

      it('writes every row of the chunk, found by the locked rows, when all of them match', async () => {
        const [first, second, third] = rows as [InventoryStock, InventoryStock, InventoryStock];
        const outcome = await store.transaction((transaction) =>
          transaction.bulk!.updateStock([write(second, -5), write(first, 4)], [third]),
        );
        expect(outcome).toEqual({ applied: true });
        expect(
          (await stored()).map((row) => [row.warehouseId, row.available, row.total, row.version]),
        ).toEqual([
          ['wh-1', 9, 9, 1],
          ['wh-2', 0, 0, 1],
          ['wh-3', 5, 5, 0],
        ]);
      });
    },
  );
}
