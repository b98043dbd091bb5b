import { createStockroom, MemoryAvailabilityCache, type Stockroom } from '@stockroom/core';
import { describe, expect, it } from 'vitest';
import { createPostgresStockStore } from '../src/index.js';
import { DATABASE_URL, dropSchema, freshStore, skipReason } from './support.js';

describe.skipIf(skipReason)('sales channels on several instances (PostgreSQL change feed)', () => {
  it("a channel changed through one instance limits the other's very next check and reservation", async () => {
    const first = await freshStore('channels', { changeFeed: true });
    // A second instance: its own pool, its own in-process cache and channel list, the same schema.
    const second = createPostgresStockStore({
      connectionString: DATABASE_URL,
      poolSize: 4,
      schema: first.schema,
      changeFeed: true,
    });
    const [a, b] = [first, second].map((store) =>
      createStockroom({ store, cache: new MemoryAvailabilityCache() }),
    ) as [Stockroom, Stockroom];
    try {
      for (const id of ['paris', 'oslo']) await a.warehouses.create({ id, name: id });
      await a.adjustments.adjust({
        sku: 'TEE',
        warehouseId: 'paris',
        type: 'RESTOCK',
        quantity: 5,
      });
      await a.adjustments.adjust({ sku: 'TEE', warehouseId: 'oslo', type: 'RESTOCK', quantity: 3 });
      await a.channels.create({ id: 'fr', name: 'France', warehouseIds: ['paris'] });
      const seen = async () =>
        (await b.availability.check({ sku: 'TEE', quantity: 1, channelId: 'fr' })).warehouses.map(
          (line) => line.warehouseId,
        );
      expect(await seen()).toEqual(['paris']);
      // B keeps the channel in process; A's change reaches it through the store's change feed.
      await a.channels.update('fr', { warehouseIds: ['oslo'] });
      expect(await seen()).toEqual(['oslo']);
      const hold = await b.reservations.reserve({
        items: [{ sku: 'TEE', quantity: 3 }],
        channelId: 'fr',
      });
      expect(hold.lines).toMatchObject([{ warehouseId: 'oslo', quantity: 3 }]);
      await a.channels.remove('fr');
      await expect(
        b.availability.check({ sku: 'TEE', quantity: 1, channelId: 'fr' }),
      ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    } finally {
      await a.close();
      await b.close();
      await dropSchema(first.schema);
    }
  });
});
