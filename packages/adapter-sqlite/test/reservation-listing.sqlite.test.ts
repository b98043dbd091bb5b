import { readAll } from '@stockroom/core/testing';
import { describe, expect, it } from 'vitest';
import { openDatabase, openStore, tempFile } from './fixtures/temp-store.js';

// The listing's two plans on SQLite: a SKU or warehouse with few lines drives the query from the
// lines' index; one with more than 2,000 walks reservations newest first (see sqlite-store-reads).
// Both must serve the same reservations in the same order, whatever the page size.

const T0 = Date.parse('2026-03-01T00:00:00.000Z');

describe('reservation listing on SQLite: hot and rare SKUs', () => {
  it('serves every match once, newest first, on both plans, across pages', async () => {
    const filename = tempFile();
    const store = await openStore({ filename });
    const database = openDatabase(filename);
    const insertReservation = database.prepare(
      `INSERT INTO reservations (id, status, order_id, user_id, created_at, expires_at, committed_at, released_at, version)
       VALUES (?, ?, NULL, NULL, ?, ?, NULL, NULL, 1)`,
    );
    const insertLine = database.prepare(
      `INSERT INTO reservation_lines (reservation_id, line_no, sku, warehouse_id, quantity, refunded)
       VALUES (?, ?, ?, ?, 1, 0)`,
    );
    const expected = new Map<string, Array<{ id: string; at: number }>>();
    const add = (key: string, id: string, at: number) =>
      expected.set(key, [...(expected.get(key) ?? []), { id, at }]);
    database.transaction(() => {
      for (let index = 0; index < 3000; index += 1) {
        const id = `res_${String(index).padStart(5, '0')}`;
        // Every third pair shares a creation instant, so ids break ties.
        const at = T0 + Math.floor(index / 2) * 1000;
        const status = index % 4 === 0 ? 'COMMITTED' : 'ACTIVE';
        insertReservation.run(id, status, at, at + 600_000);
        insertLine.run(id, 0, 'HOT', index % 2 === 0 ? 'paris' : 'berlin');
        add('HOT', id, at);
        add(index % 2 === 0 ? 'paris' : 'berlin', id, at);
        if (index % 20 === 0) {
          insertLine.run(id, 1, 'RARE', 'berlin');
          add('RARE', id, at);
          add('berlin', id, at);
        }
      }
    })();
    const newestFirst = (items: Array<{ id: string; at: number }>) =>
      [...new Map(items.map((item) => [item.id, item])).values()]
        .sort((left, right) => right.at - left.at || (left.id < right.id ? 1 : -1))
        .map((item) => item.id);

    for (const [filter, key] of [
      [{ sku: 'HOT' }, 'HOT'],
      [{ sku: 'RARE' }, 'RARE'],
      [{ warehouseId: 'berlin' }, 'berlin'],
    ] as const) {
      const want = newestFirst(expected.get(key)!);
      for (const limit of [7, 1000]) {
        const served: string[] = [];
        let cursor: string | null = null;
        do {
          const page = await store.reads.reservations(filter, { limit, cursor });
          served.push(...page.items.map((item) => item.id));
          cursor = page.nextCursor;
          if (served.length > 140 && limit === 7) break;
        } while (cursor);
        expect(served, `${key} by ${limit}`).toEqual(want.slice(0, served.length));
        if (limit === 1000) expect(served).toHaveLength(want.length);
      }
    }
    const hotActive = await readAll((page) =>
      store.reads.reservations({ sku: 'HOT', status: 'ACTIVE', warehouseId: 'paris' }, page),
    );
    expect(hotActive).toHaveLength(750);
    expect(hotActive[0]).toMatchObject({
      id: 'res_02998',
      status: 'ACTIVE',
      lines: [
        {
          sku: 'HOT',
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
    });
  });
});
