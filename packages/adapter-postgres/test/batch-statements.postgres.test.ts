import { createStockroom, type InventoryStock } from '@stockroom/core';
import { replayLedger } from '@stockroom/core/testing';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createPostgresStockStore, type PostgresPool } from '../src/index.js';
import { DATABASE_URL, dropSchema, skipReason, uniqueSchema } from './support.js';

// The statements of a flash-sale batch, counted at the pool: a batch of reservations is BEGIN,
// one locked read (rows, policies, warehouses), one write (stock, reservations and lines,
// movements, outbox) and COMMIT, whatever its size.

interface CountingPool extends PostgresPool {
  /** The statements of each transaction, from BEGIN to COMMIT or ROLLBACK. */
  readonly transactions: string[][];
  readonly inner: pg.Pool;
}

function countingPool(): CountingPool {
  const inner = new pg.Pool({ connectionString: DATABASE_URL, max: 4 });
  const transactions: string[][] = [];
  return {
    inner,
    transactions,
    async connect() {
      const client = await inner.connect();
      let current: string[] | null = null;
      return {
        query: (text: string, values: readonly unknown[]) => {
          const statement = text.replace(/\s+/g, ' ').trim();
          if (/^(begin|start transaction)/i.test(statement)) {
            current = [];
            transactions.push(current);
          }
          current?.push(statement);
          if (/^(commit|rollback)/i.test(statement)) current = null;
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

describe.skipIf(skipReason)('reservation batch statements (PostgreSQL)', () => {
  it('a batch of reservations costs 4 statements, and writes every row, line, movement and event', async () => {
    const pool = countingPool();
    const store = createPostgresStockStore({ pool, schema: uniqueSchema('batch_statements') });
    const stockroom = createStockroom({ store, policies: { locking: () => 'pessimistic' } });
    try {
      await store.migrate();
      await stockroom.warehouses.create({ id: 'paris', name: 'Paris' });
      await stockroom.adjustments.adjust({
        sku: 'A',
        warehouseId: 'paris',
        type: 'RESTOCK',
        quantity: 100,
      });
      const before = pool.transactions.length;
      const held = await Promise.all(
        Array.from({ length: 24 }, () =>
          stockroom.reservations.reserve({ items: [{ sku: 'A', quantity: 2 }] }),
        ),
      );
      // The in-process directories' loads (one read of `kits` or `warehouses` in a transaction
      // of its own, once per process or per directory change) are not batches.
      const batches = pool.transactions
        .slice(before)
        .filter(
          (statements) => !statements.some((text) => /"(kits|warehouses)" order by/.test(text)),
        );
      for (const statements of batches) {
        expect(statements).toHaveLength(4);
        expect(statements[0]).toMatch(/^start transaction/i);
        expect(statements[1]).toContain('FOR UPDATE');
        expect(statements[1]).toContain('warehouses_json');
        expect(statements[2]).toContain('written_stock');
        expect(statements[2]).toContain('new_reservation_lines');
        expect(statements[3]).toMatch(/^commit/i);
      }
      // Something was batched: fewer transactions than requests.
      expect(batches.length).toBeLessThan(24);

      const [row] = await store.reads.stockBySku('A');
      expect(row).toMatchObject({ available: 52, reserved: 48, total: 100 });
      for (const reservation of held) {
        const stored = await store.reads.reservation(reservation.id);
        expect(stored?.lines).toEqual([
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
        ]);
      }
      expect(await replayLedger(store)).toEqual([]);
      const ledger = await store.reads.ledger({ sku: 'A' }, { limit: 100 });
      expect(ledger.items.filter((movement) => movement.type === 'RESERVATION')).toHaveLength(24);
      // 24 reserved events, one stock update per batch (and the restock's own).
      const outbox = await store.transaction((transaction) => transaction.outbox.claim(500));
      expect(outbox.filter((entry) => entry.event.type === 'inventory.reserved')).toHaveLength(24);
      expect(outbox.filter((entry) => entry.event.type === 'inventory.stock.updated')).toHaveLength(
        batches.length + 1,
      );
    } finally {
      await store.close();
      await pool.end();
      await dropSchema(store.schema);
    }
  });

  it('writeBatch reports a lost stock guard and writes nothing of it', async () => {
    const pool = countingPool();
    const store = createPostgresStockStore({ pool, schema: uniqueSchema('append_all_lost') });
    const stockroom = createStockroom({ store });
    try {
      await store.migrate();
      await stockroom.warehouses.create({ id: 'paris', name: 'Paris' });
      await stockroom.adjustments.adjust({
        sku: 'A',
        warehouseId: 'paris',
        type: 'RESTOCK',
        quantity: 10,
      });
      const [row] = (await store.reads.stockBySku('A')) as [InventoryStock];
      const stale: InventoryStock = { ...row, version: row.version - 1 };
      const outcome = await store.transaction(async (transaction) =>
        transaction.writeBatch!({
          records: [],
          movements: [],
          events: [],
          reservations: [],
          writes: [
            {
              before: stale,
              next: { ...stale, available: 9, reserved: 1, version: row.version },
              deltas: { available: -1, reserved: 1, damaged: 0, inTransit: 0, backordered: 0 },
            },
          ],
        }),
      );
      expect(outcome).toEqual({ applied: false, lostStock: true });
      expect(await store.reads.stockBySku('A')).toEqual([row]);
    } finally {
      await store.close();
      await pool.end();
      await dropSchema(store.schema);
    }
  });
});
