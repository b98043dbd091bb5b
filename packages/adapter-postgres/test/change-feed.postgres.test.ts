import { createStockroom, MemoryAvailabilityCache, type Stockroom } from '@stockroom/core';
import { describe, expect, it } from 'vitest';
import { createPostgresStockStore, type PostgresStockStore } from '../src/index.js';
import { adminQuery, DATABASE_URL, dropSchema, freshStore, skipReason } from './support.js';

describe.skipIf(skipReason)(
  'in-process caches on several instances (PostgreSQL change feed)',
  () => {
    async function twoInstances(): Promise<{
      stores: PostgresStockStore[];
      stockrooms: Stockroom[];
      close(): Promise<void>;
    }> {
      const first = await freshStore('feed', { changeFeed: true });
      // A second instance: its own pool, its own in-process cache, the same schema.
      const second = createPostgresStockStore({
        connectionString: DATABASE_URL,
        poolSize: 4,
        schema: first.schema,
        changeFeed: true,
      });
      const stores = [first, second];
      const stockrooms = stores.map((store) =>
        createStockroom({ store, cache: new MemoryAvailabilityCache() }),
      );
      return {
        stores,
        stockrooms,
        async close() {
          for (const stockroom of stockrooms) await stockroom.close();
          await dropSchema(first.schema);
        },
      };
    }

    it('a write through one instance is seen by the next check on the other; other SKUs stay cached', async () => {
      const { stockrooms, close } = await twoInstances();
      const [a, b] = stockrooms as [Stockroom, Stockroom];
      try {
        await a.warehouses.create({ id: 'paris', name: 'Paris' });
        const restock = (
          stockroom: Stockroom,
          sku: string,
          quantity: number,
          warehouseId = 'paris',
        ) => stockroom.adjustments.adjust({ sku, warehouseId, type: 'RESTOCK', quantity });
        const check = async (stockroom: Stockroom, sku = 'TEE') =>
          (await stockroom.availability.check({ sku, quantity: 1 })).availableQuantity;
        await restock(a, 'TEE', 5);
        await restock(a, 'CAP', 2);
        expect(await check(b)).toBe(5);
        expect(await check(b, 'CAP')).toBe(2);
        expect(await check(b)).toBe(5);
        const hitsBefore = b.stats.cache.hits;

        for (let round = 1; round <= 5; round += 1) {
          await restock(a, 'TEE', 1);
          // The very next check on B, no waiting: the poll's barrier brings A's notification.
          expect(await check(b)).toBe(5 + round);
        }
        // CAP was not written: still served from B's cache.
        expect(await check(b, 'CAP')).toBe(2);
        expect(b.stats.cache.hits).toBeGreaterThan(hitsBefore);

        // A reservation on B is seen by A's next check too.
        await b.reservations.reserve({ items: [{ sku: 'TEE', quantity: 4 }] });
        expect(await check(a)).toBe(6);

        // A's own writes are not reported back to A by its feed: the value each wrote through
        // stays in A's cache, and A's next check is a hit.
        for (let round = 1; round <= 3; round += 1) {
          await restock(a, 'TEE', 1);
          const hits = a.stats.cache.hits;
          expect(await check(a)).toBe(6 + round);
          expect(a.stats.cache.hits).toBe(hits + 1);
        }
        await b.reservations.reserve({ items: [{ sku: 'TEE', quantity: 3 }] });
        expect(await check(a)).toBe(6);

        // A warehouse created and stocked through A is in B's very next check.
        await a.warehouses.create({ id: 'oslo', name: 'Oslo' });
        await restock(a, 'TEE', 3, 'oslo');
        const answer = await b.availability.check({ sku: 'TEE', quantity: 1 });
        expect(answer.warehouses.map((line) => [line.warehouseId, line.availableQuantity])).toEqual(
          [
            ['paris', 6],
            ['oslo', 3],
          ],
        );
      } finally {
        await close();
      }
    }, 60_000);

    it('after the listening connection is lost, checks read the store, then the feed reconnects', async () => {
      const { stores, stockrooms, close } = await twoInstances();
      const [a, b] = stockrooms as [Stockroom, Stockroom];
      try {
        await a.warehouses.create({ id: 'paris', name: 'Paris' });
        const restock = (quantity: number) =>
          a.adjustments.adjust({ sku: 'TEE', warehouseId: 'paris', type: 'RESTOCK', quantity });
        const check = async () =>
          (await b.availability.check({ sku: 'TEE', quantity: 1 })).availableQuantity;
        await restock(5);
        expect(await check()).toBe(5);
        expect(await check()).toBe(5);
        const killed = await adminQuery(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`,
          [`stockroom change feed ${stores[0]!.schema}`.slice(0, 63)],
        );
        // B's listener: A has not checked yet, so its (lazy) feed never connected.
        expect(killed.rowCount).toBe(1);
        await restock(2);
        // The poll fails or reconnects: either way the answer is the truth.
        expect(await check()).toBe(7);
        await restock(1);
        expect(await check()).toBe(8);
        const hits = b.stats.cache.hits;
        expect(await check()).toBe(8);
        expect(b.stats.cache.hits).toBe(hits + 1);
      } finally {
        await close();
      }
    }, 60_000);
  },
);
