import { createStockroom, MemoryAvailabilityCache } from '@stockroom/core';
import { seedWarehouses } from '@stockroom/core/testing';
import { describe, expect, it } from 'vitest';
import { openStore, tempFile } from './fixtures/temp-store.js';

describe('sales channels on two connections to one SQLite file', () => {
  it("a channel changed through one connection limits the other's very next check and reservation", async () => {
    const filename = tempFile();
    // Two stores (two connections), each with its own in-process cache and channel list.
    const [a, b] = await Promise.all(
      [0, 1].map(async () =>
        createStockroom({
          store: await openStore({ filename }),
          cache: new MemoryAvailabilityCache(),
        }),
      ),
    );
    await seedWarehouses(a!);
    await a!.adjustments.adjust({ sku: 'TEE', warehouseId: 'paris', type: 'RESTOCK', quantity: 5 });
    await a!.adjustments.adjust({
      sku: 'TEE',
      warehouseId: 'berlin',
      type: 'RESTOCK',
      quantity: 3,
    });
    await a!.channels.create({ id: 'fr', name: 'France', warehouseIds: ['paris'] });
    const seen = async () =>
      (await b!.availability.check({ sku: 'TEE', quantity: 1, channelId: 'fr' })).warehouses.map(
        (line) => line.warehouseId,
      );
    expect(await seen()).toEqual(['paris']);
    // B keeps the channel in process; A's commit reaches it through `PRAGMA data_version`.
    await a!.channels.update('fr', { warehouseIds: ['berlin'] });
    expect(await seen()).toEqual(['berlin']);
    const hold = await b!.reservations.reserve({
      items: [{ sku: 'TEE', quantity: 3 }],
      channelId: 'fr',
    });
    expect(hold.lines).toMatchObject([{ warehouseId: 'berlin', quantity: 3 }]);
  });
});
