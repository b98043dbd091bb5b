import type { ChildProcess } from 'node:child_process';
import { createStockroom, MemoryAvailabilityCache, MemorySoldOutGuard } from '@stockroom/core';
import { seedWarehouses } from '@stockroom/core/testing';
import { describe, expect, it } from 'vitest';
import { openStore, tempFile } from './fixtures/temp-store.js';
import { nextMessage, startWorkerProcess } from './fixtures/worker-process.js';
import type { WorkerCommand } from './fixtures/write-worker.js';

const startWorker = (filename: string) => startWorkerProcess('write-worker.ts', [filename]);

async function run(child: ChildProcess, command: WorkerCommand): Promise<void> {
  const answered = nextMessage(child);
  child.send(command);
  expect(await answered).toEqual({ kind: 'done' });
}

describe('in-process cache over SQLite shared with another process', () => {
  it('a write by a second process is seen by the next check; unchanged SKUs stay cached', async () => {
    const filename = tempFile();
    const store = await openStore({ filename });
    const cache = new MemoryAvailabilityCache();
    const stockroom = createStockroom({ store, cache });
    await seedWarehouses(stockroom);
    await stockroom.adjustments.adjust({
      sku: 'TEE',
      warehouseId: 'paris',
      type: 'RESTOCK',
      quantity: 5,
    });
    const child = startWorker(filename);
    await nextMessage(child);
    const check = async (sku = 'TEE') =>
      (await stockroom.availability.check({ sku, quantity: 1 })).availableQuantity;

    expect(await check()).toBe(5);
    expect(await check()).toBe(5);
    expect(stockroom.stats.cache).toMatchObject({ hits: 1, misses: 1 });

    for (const [round, total] of [
      [1, 12],
      [2, 19],
      [3, 26],
    ] as const) {
      await run(child, { op: 'restock', sku: 'TEE', warehouseId: 'paris', quantity: 7 });
      expect(await check()).toBe(total);
      expect(await check()).toBe(total);
      expect(stockroom.stats.cache).toMatchObject({ hits: 1 + round, misses: 1 + round });
    }

    // A warehouse created and stocked by the other process is in the very next check.
    await run(child, { op: 'create-warehouse', id: 'oslo' });
    await run(child, { op: 'restock', sku: 'TEE', warehouseId: 'oslo', quantity: 4 });
    const answer = await stockroom.availability.check({ sku: 'TEE', quantity: 1 });
    expect(answer.warehouses.map((line) => [line.warehouseId, line.availableQuantity])).toEqual([
      ['paris', 26],
      ['oslo', 4],
    ]);

    // This process's own writes do not empty the cache for other SKUs.
    await stockroom.adjustments.adjust({
      sku: 'CAP',
      warehouseId: 'paris',
      type: 'RESTOCK',
      quantity: 2,
    });
    const before = { ...stockroom.stats.cache };
    expect(await check()).toBe(30);
    expect(stockroom.stats.cache.hits).toBe(before.hits + 1);
    expect(await check('CAP')).toBe(2);

    child.send({ op: 'exit' } satisfies WorkerCommand);
    await stockroom.close();
  }, 60_000);

  it("a sold-out mark does not refuse a reservation after another process's restock", async () => {
    const filename = tempFile();
    const store = await openStore({ filename });
    const soldOutGuard = new MemorySoldOutGuard();
    const stockroom = createStockroom({
      store,
      cache: new MemoryAvailabilityCache(),
      soldOutGuard,
      // Long enough that only coherence, not expiry, can clear the mark within the test.
      policies: { soldOutTtlMs: 60_000 },
    });
    await seedWarehouses(stockroom);
    await stockroom.adjustments.adjust({
      sku: 'TEE',
      warehouseId: 'paris',
      type: 'RESTOCK',
      quantity: 2,
    });
    const child = startWorker(filename);
    await nextMessage(child);
    // The first poll of the change feed reports everything (it cannot know what came before).
    await stockroom.availability.check({ sku: 'TEE', quantity: 1 });
    await stockroom.reservations.reserve({ items: [{ sku: 'TEE', quantity: 2 }] });
    expect(await soldOutGuard.isSoldOut('TEE')).toBe(true);
    await expect(
      stockroom.reservations.reserve({ items: [{ sku: 'TEE', quantity: 1 }] }),
    ).rejects.toMatchObject({ code: 'INSUFFICIENT_STOCK' });
    expect(stockroom.stats.soldOutRefusals).toBe(1);

    await run(child, { op: 'restock', sku: 'TEE', warehouseId: 'paris', quantity: 5 });
    const hold = await stockroom.reservations.reserve({ items: [{ sku: 'TEE', quantity: 1 }] });
    expect(hold.lines).toEqual([expect.objectContaining({ sku: 'TEE', quantity: 1 })]);
    expect(stockroom.stats.soldOutRefusals).toBe(1);
    expect(
      (await stockroom.availability.check({ sku: 'TEE', quantity: 1 })).availableQuantity,
    ).toBe(4);

    child.send({ op: 'exit' } satisfies WorkerCommand);
    await stockroom.close();
  }, 60_000);
});
