import { describe, expect, it } from 'vitest';
import { createStockroom } from '../create-stockroom.js';
import { createMemoryStockStore, type MemoryStockStore } from '../memory/memory-stock-store.js';
import type { StockStore, StoreCapabilities } from '../ports/stock-store.js';

/**
 * The memory store with set-based writes (which it does not offer itself), each done row by row
 * through its own ports; records the size of every `insertStock` call.
 */
function withBulkWrites(
  inner: MemoryStockStore,
  inserted: number[],
  capabilities: StoreCapabilities = inner.capabilities,
): StockStore {
  return {
    capabilities,
    reads: inner.reads,
    ping: () => inner.ping(),
    close: () => inner.close(),
    transaction: (work) =>
      inner.transaction((transaction) =>
        work({
          ...transaction,
          bulk: {
            async insertStock(rows) {
              inserted.push(rows.length);
              for (const row of rows) {
                const outcome = await transaction.stock.insert(row);
                if (!outcome.applied) return outcome;
              }
              return { applied: true };
            },
            updateStock: (writes, unchanged) => transaction.stock.update(writes, unchanged),
            appendMovements: (movements) => transaction.ledger.append(movements),
            appendEvents: (events) => transaction.outbox.append(events),
          },
        }),
      ),
  };
}

const WAREHOUSES = ['berlin', 'london'] as const;

function items(count: number, quantity: (index: number) => number) {
  return Array.from({ length: count }, (_unused, index) => ({
    sku: `S-${String(Math.floor(index / 2)).padStart(3, '0')}`,
    warehouseId: WAREHOUSES[index % 2]!,
    quantity: quantity(index),
  }));
}

// A chunk's new rows reach the store's set-based insert in one call, and the import writes the
// same rows, movements and events as on a store without set-based writes.
describe('a bulk import through set-based writes', () => {
  async function imported(bulk: boolean) {
    const inner = createMemoryStockStore();
    const inserted: number[] = [];
    const stockroom = createStockroom({
      store: bulk ? withBulkWrites(inner, inserted) : inner,
      policies: { bulkBatchSize: 4 },
    });
    for (const id of WAREHOUSES) await stockroom.warehouses.create({ id, name: id });
    // The second import changes some rows, leaves some, and creates the last two.
    const first = await stockroom.adjustments.bulkUpdate({
      mode: 'set',
      items: items(10, (index) => 5 + index),
    });
    const second = await stockroom.adjustments.bulkUpdate({
      mode: 'set',
      items: items(12, (index) => (index % 3 === 0 ? 5 + index : 0)),
    });
    const skus = [...new Set(items(12, () => 0).map((item) => item.sku))];
    const rows = [];
    const movements = [];
    for (const sku of skus) {
      for (const row of await inner.reads.stockBySku(sku)) {
        const { createdAt: _createdAt, updatedAt: _updatedAt, ...rest } = row;
        rows.push(rest);
      }
      for (const movement of (await inner.reads.movements({ sku }, {})).items) {
        movements.push([movement.sku, movement.warehouseId, movement.deltas, movement.version]);
      }
    }
    const events = (await inner.transaction((transaction) => transaction.outbox.claim(1000))).map(
      // Alert ids are fresh in each run.
      ({ event }) => {
        const { alertId: _alertId, ...data } = event.data;
        return [event.type, event.subject, data];
      },
    );
    return { first, second, rows, movements, events, inserted };
  }

  it('inserts each chunk’s new rows at once and writes what row-by-row writes would', async () => {
    const [rowByRow, setBased] = await Promise.all([imported(false), imported(true)]);
    expect(setBased.first).toEqual({ applied: 10, failed: [] });
    expect(setBased.second).toEqual({ applied: 12, failed: [] });
    // Chunks of 4 items: 4, 4 and 2 new rows, then only the second import's last two.
    expect(setBased.inserted).toEqual([4, 4, 2, 2]);
    expect(rowByRow.inserted).toEqual([]);
    expect(setBased.rows).toEqual(rowByRow.rows);
    expect(setBased.movements).toEqual(rowByRow.movements);
    expect(setBased.events).toEqual(rowByRow.events);
    expect(setBased.rows).toHaveLength(12);
  });
});

// The default chunk: 2,000 items, halved when two chunks are in flight, so an import holds about
// as many items at once either way; a chunk size the caller sets is kept.
describe('the default bulk chunk size', () => {
  async function chunkSizes(
    policies: { bulkBatchSize?: number; bulkChunksInFlight?: 1 | 2 },
    concurrentWriters = false,
  ) {
    const inserted: number[] = [];
    const memory = createMemoryStockStore();
    const capabilities: StoreCapabilities = concurrentWriters
      ? { ...memory.capabilities, multiProcess: true, singleWriter: false }
      : memory.capabilities;
    const stockroom = createStockroom({
      store: withBulkWrites(memory, inserted, capabilities),
      policies,
    });
    await stockroom.warehouses.create({ id: 'berlin', name: 'Berlin' });
    // One row a SKU: no item is ever deferred to keep two chunks in flight apart.
    const result = await stockroom.adjustments.bulkUpdate({
      mode: 'set',
      items: Array.from({ length: 4500 }, (_unused, index) => ({
        sku: `S-${String(index).padStart(5, '0')}`,
        warehouseId: 'berlin',
        quantity: 1 + (index % 7),
      })),
    });
    expect(result).toEqual({ applied: 4500, failed: [] });
    return inserted;
  }

  it('is 500 items on a single-writer store, whatever the chunks in flight', async () => {
    const fives = Array.from({ length: 9 }, () => 500);
    expect(await chunkSizes({})).toEqual(fives);
    expect(await chunkSizes({ bulkChunksInFlight: 2 })).toEqual(fives);
  });

  it('is 1,000 items on a store that takes concurrent writers, whatever the chunks in flight', async () => {
    expect(await chunkSizes({}, true)).toEqual([1000, 1000, 1000, 1000, 500]);
    expect(await chunkSizes({ bulkChunksInFlight: 1 }, true)).toEqual([
      1000, 1000, 1000, 1000, 500,
    ]);
  });

  it('is the caller’s when set', async () => {
    expect(await chunkSizes({ bulkChunksInFlight: 2, bulkBatchSize: 1500 })).toEqual([
      1500, 1500, 1500,
    ]);
  });
});
