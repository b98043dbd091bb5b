import { existsSync, statSync } from 'node:fs';
import { createStockroom } from '@stockroom/core';
import { replayLedger, seedWarehouses } from '@stockroom/core/testing';
import { describe, expect, it } from 'vitest';
import { createSqliteStockStore } from '../src/index.js';
import { startCheckpointer, WRITER_CHECKPOINT_PAGES } from '../src/sqlite-checkpointer.js';
import type { ImportCommand, ImportReport } from './fixtures/import-worker.js';
import { lockstep } from './fixtures/lockstep.js';
import { openDatabase, openStore, stockroomOver, tempFile } from './fixtures/temp-store.js';
import { startWorkerProcess } from './fixtures/worker-process.js';

// Bulk imports on a file the store opened have their WAL checkpointed on a worker thread.

/** Items a chunk of the two-process imports holds. */
const CHUNK = 1000;

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

  it('starts none with checkpointWorker: false: the writer checkpoints inside its commits', async () => {
    // Node's diagnostic report lists the process's worker threads.
    const workers = () =>
      (process.report.getReport() as { workers: readonly unknown[] }).workers.length;
    const before = workers();
    const filename = tempFile();
    const store = await openStore({ filename, checkpointWorker: false });
    const stockroom = stockroomOver(store);
    await seedWarehouses(stockroom);
    const result = await stockroom.adjustments.bulkUpdate({
      mode: 'set',
      atomic: false,
      items: items(6000),
    });
    expect(result).toEqual({ applied: 6000, failed: [] });
    expect(workers()).toBe(before);
    expect((await store.reads.stockBySku('CKPT-01999')).map((row) => row.available)).toEqual([
      10, 16, 15,
    ]);
    expect(await replayLedger(store)).toEqual([]);
    await store.close();
    expect(existsSync(`${filename}-wal`)).toBe(false);

    // The default starts one for the same import (the count above is not blind to it).
    const other = await openStore({ filename: tempFile() });
    await seedWarehouses(stockroomOver(other));
    await stockroomOver(other).adjustments.bulkUpdate({
      mode: 'set',
      atomic: false,
      items: items(3000),
    });
    expect(await eventually(() => workers() === before + 1)).toBe(true);
    await other.close();
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

  it('keeps two processes importing into one file at once exact, each with its own checkpointer', async () => {
    const filename = tempFile();
    const store = await createSqliteStockStore({ filename });
    const stockroom = createStockroom({
      store,
      policies: { bulkBatchSize: CHUNK, retry: { maxAttempts: 1000, deadlineMs: 60_000 } },
    });
    await seedWarehouses(stockroom);
    const rows = items(18_000);
    expect((await stockroom.adjustments.bulkUpdate({ mode: 'set', items: rows })).failed).toEqual(
      [],
    );
    // Deltas of both signs (never zero, never taking a row below zero), different in each process.
    const parentItems = rows.map((row, index) => ({
      ...row,
      quantity: [-2, -1, 1, 2][index % 4]!,
    }));
    const childItems = rows.map((row, index) => ({ ...row, quantity: [3, -1, 2][index % 3]! }));

    const child = startWorkerProcess('import-worker.ts', [filename, String(CHUNK)]);
    const listeners: Array<(message: unknown) => void> = [];
    child.on('message', (message) => {
      for (const listener of listeners) listener(message);
    });
    const next = <T extends { kind: string }>(kind: T['kind']) =>
      new Promise<T>((resolve) =>
        listeners.push((message) => {
          if ((message as T).kind === kind) resolve(message as T);
        }),
      );
    await next('ready');
    const childDone = next<ImportReport>('done');
    const command: ImportCommand = { kind: 'go', items: childItems };
    child.send(command);
    const parentResult = await stockroom.adjustments.bulkUpdate(
      {
        mode: 'delta',
        atomic: false,
        items: lockstep(
          parentItems,
          CHUNK,
          (message) => child.send(message),
          (listener) => listeners.push(listener),
        ),
      },
      { actor: 'parent' },
    );
    const { result: childResult } = await childDone;

    expect(parentResult).toEqual({ applied: rows.length, failed: [] });
    expect(childResult).toEqual({ applied: rows.length, failed: [] });
    for (const index of [0, 1, 2, 3, 4, 9_999, 17_999]) {
      const row = rows[index]!;
      const stock = await store.reads.stockBySku(row.sku);
      expect(stock.find((line) => line.warehouseId === row.warehouseId)?.available).toBe(
        row.quantity + parentItems[index]!.quantity + childItems[index]!.quantity,
      );
    }
    const expectedTotal = rows.reduce(
      (sum, row, index) =>
        sum + row.quantity + parentItems[index]!.quantity + childItems[index]!.quantity,
      0,
    );
    const check = openDatabase(filename);
    expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(
      check.prepare("select sum(available) as total from stock where sku like 'CKPT-%'").get(),
    ).toEqual({ total: expectedTotal });
    // How the two imports interleaved, in commit order (printed for the report).
    const actors = check
      .prepare("select actor from movements where actor in ('parent', 'child') order by rowid")
      .pluck()
      .all() as string[];
    const handovers = actors.filter((actor, index) => index > 0 && actor !== actors[index - 1]);
    process.stdout.write(`[two importing processes] chunk hand-overs ${handovers.length}\n`);
    // Both wrote in every round: at least one hand-over between rounds.
    expect(handovers.length).toBeGreaterThanOrEqual(rows.length / CHUNK - 1);
    check.close();
    expect(await replayLedger(store)).toEqual([]);
    await store.close();
    expect(existsSync(`${filename}-wal`)).toBe(false);
  });
});
