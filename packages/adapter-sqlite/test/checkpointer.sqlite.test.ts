import { existsSync, statSync } from 'node:fs';
import { seedWarehouses } from '@stockroom/core/testing';
import { describe, expect, it } from 'vitest';
import { createSqliteStockStore } from '../src/index.js';
import { startCheckpointer, WRITER_CHECKPOINT_PAGES } from '../src/sqlite-checkpointer.js';
import { openDatabase, openStore, stockroomOver, tempFile } from './fixtures/temp-store.js';

// Bulk imports on a file the store opened have their WAL checkpointed on a worker thread.

/** An import of `count` new rows over the seeded warehouses. */
function items(count: number) {
  return Array.from({ length: count }, (_unused, index) => ({
    sku: `CKPT-${String(Math.floor(index / 3)).padStart(5, '0')}`,
    warehouseId: ['paris', 'london', 'berlin'][index % 3]!,
    quantity: 10 + (index % 7),
  }));
}

/** Polls `check` until it holds or `ms` pass. */
async function eventually(check: () => boolean, ms = 5000): Promise<boolean> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}

describe('the bulk import checkpointer', () => {
  it('copies what a bulk import committed into the database file while the store is open, and close removes the WAL', async () => {
    const filename = tempFile();
    const store = await createSqliteStockStore({ filename });
    const stockroom = stockroomOver(store);
    await seedWarehouses(stockroom);
    const before = statSync(filename).size;
    // Well under the writer's own threshold: only the checkpointer copies these pages now.
    const result = await stockroom.adjustments.bulkUpdate({
      mode: 'set',
      atomic: false,
      items: items(3000),
    });
    expect(result.failed).toEqual([]);
    expect(await eventually(() => statSync(filename).size > before + 1_000_000)).toBe(true);
    expect((await store.reads.stockBySku('CKPT-00000')).map((row) => row.available)).toEqual([
      12, 11, 10,
    ]);
    await store.close();
    expect(existsSync(`${filename}-wal`)).toBe(false);
  });

  it('starts none for a connection the caller owns: its checkpoint threshold is left as it was', async () => {
    const database = openDatabase(tempFile());
    const store = await openStore({ database });
    const stockroom = stockroomOver(store);
    await seedWarehouses(stockroom);
    await stockroom.adjustments.bulkUpdate({ mode: 'set', atomic: false, items: items(300) });
    expect(database.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
  });

  it('gives the writer its own checkpoints back when the worker fails, and reports the failure', async () => {
    const writer = openDatabase(tempFile());
    writer.pragma('journal_mode = WAL');
    let failure: unknown;
    const checkpointer = startCheckpointer(writer, `${tempFile()}-missing`, (error) => {
      failure = error;
    });
    expect(writer.pragma('wal_autocheckpoint', { simple: true })).toBe(WRITER_CHECKPOINT_PAGES);
    expect(await eventually(() => failure !== undefined)).toBe(true);
    expect(writer.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    checkpointer.nudge();
    await checkpointer.close();
  });
});
