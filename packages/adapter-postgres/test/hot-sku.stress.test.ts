import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createStockroom } from '@stockroom/core';
import { readAll, replayLedger, reservedMismatches } from '@stockroom/core/testing';
import { describe, expect, it } from 'vitest';
import type { PostgresStockStore } from '../src/index.js';
import { type HotSkuResult, hotSkuLoad } from './hot-sku-load.js';
import { DATABASE_URL, dropSchema, freshStore, skipReason } from './support.js';

// The flash-sale acceptance: 1,000 single-unit reservations of one SKU from 32 concurrent
// callers over a pool of 16, against 300 available. Exactly 300 succeed, the other 700 fail
// with INSUFFICIENT_STOCK, and the ledger replays to the row — in both locking modes, in one
// process and in two processes at once.

const REQUESTS = 1000;
const AVAILABLE = 300;
const packageDir = fileURLToPath(new URL('..', import.meta.url));

async function seeded(label: string): Promise<PostgresStockStore> {
  const store = await freshStore(label, { poolSize: 16 });
  try {
    const setup = createStockroom({ store });
    await setup.warehouses.create({ id: 'paris', name: 'Paris' });
    await setup.adjustments.adjust({
      sku: 'HOT',
      warehouseId: 'paris',
      type: 'RESTOCK',
      quantity: AVAILABLE,
    });
    return store;
  } catch (error) {
    await store.close();
    await dropSchema(store.schema);
    throw error;
  }
}

async function expectExactOutcome(store: PostgresStockStore, results: readonly HotSkuResult[]) {
  const total = (field: 'succeeded' | 'insufficient') =>
    results.reduce((sum, result) => sum + result[field], 0);
  expect(results.flatMap((result) => result.other)).toEqual([]);
  expect(total('succeeded')).toBe(AVAILABLE);
  expect(total('insufficient')).toBe(REQUESTS - AVAILABLE);
  expect(await store.reads.stockBySku('HOT')).toMatchObject([
    { available: 0, reserved: AVAILABLE, total: AVAILABLE, version: AVAILABLE + 1 },
  ]);
  expect(await store.reads.activeHolds()).toEqual([
    { sku: 'HOT', warehouseId: 'paris', quantity: AVAILABLE },
  ]);
  const held = await readAll((page) => store.reads.reservationsByStatus('ACTIVE', page));
  expect(held).toHaveLength(AVAILABLE);
  const movements = await readAll((page) => store.reads.ledger({ sku: 'HOT' }, page));
  expect(movements.filter((movement) => movement.type === 'RESERVATION')).toHaveLength(AVAILABLE);
  expect(await replayLedger(store)).toEqual([]);
  expect(await reservedMismatches(store)).toEqual([]);
}

function report(label: string, results: readonly HotSkuResult[]) {
  const summary = results.map(
    ({ succeeded, insufficient, conflicts, retries, milliseconds }) =>
      `${succeeded} ok / ${insufficient} refused, ${conflicts} conflicts, ${retries} retries, ${milliseconds} ms`,
  );
  process.stdout.write(`[hot-sku] ${label}: ${summary.join(' | ')}\n`);
}

/** Starts a worker process; resolves once it is connected and waiting for `go`. */
async function startWorker(schema: string, locking: string, requests: number) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'test/hot-sku-worker.ts', schema, locking, String(requests), '16', '8'],
    { cwd: packageDir, env: { ...process.env, DATABASE_URL }, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const nextLine = async (): Promise<string> => {
    const line = await lines.next();
    if (line.done) throw new Error(`worker exited (${await exited}): ${stderr}`);
    return line.value;
  };
  expect(await nextLine()).toBe('ready');
  return {
    go: () => child.stdin.write('go\n'),
    result: async (): Promise<HotSkuResult> => {
      const result = JSON.parse(await nextLine()) as HotSkuResult;
      expect(await exited).toBe(0);
      return result;
    },
  };
}

describe.skipIf(skipReason)('hot SKU under load (PostgreSQL)', () => {
  for (const locking of ['optimistic', 'pessimistic'] as const) {
    it(`${locking}: 1,000 reservations, 32 callers, pool of 16, 300 available → exactly 300`, {
      timeout: 180_000,
    }, async () => {
      const store = await seeded(`hot_${locking}`);
      try {
        const result = await hotSkuLoad({
          store,
          sku: 'HOT',
          requests: REQUESTS,
          callers: 32,
          locking,
        });
        report(`${locking}, one process`, [result]);
        await expectExactOutcome(store, [result]);
      } finally {
        await store.close();
        await dropSchema(store.schema);
      }
    });

    it(`${locking}: the same from two Node processes at once (16 callers, pool of 8 each)`, {
      timeout: 180_000,
    }, async () => {
      const store = await seeded(`hot2_${locking}`);
      try {
        const workers = await Promise.all([
          startWorker(store.schema, locking, REQUESTS / 2),
          startWorker(store.schema, locking, REQUESTS / 2),
        ]);
        for (const worker of workers) worker.go();
        const results = await Promise.all(workers.map((worker) => worker.result()));
        report(`${locking}, two processes`, results);
        // Both processes really competed for the row: each admitted some of the 300.
        for (const result of results) expect(result.succeeded).toBeGreaterThan(0);
        await expectExactOutcome(store, results);
      } finally {
        await store.close();
        await dropSchema(store.schema);
      }
    });
  }
});
