import { fork } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createStockroom, type Stockroom } from '@stockroom/core';
import type { Environment } from '../environment.js';
import { describe } from '../environment.js';
import { withMemoryPeak } from '../measure.js';
import type { BenchOptions } from '../options.js';
import type { ResultRow, ScenarioContext } from '../scenario.js';
import { skippedRow, timedRow } from '../scenario.js';
import { createWarehouses, skuName } from '../seeding.js';
import { openStore, type StoreKind } from '../stores.js';

// The streamed 1,000,000-row import of scenario 6, run in a child process of its own: a user's
// import runs in its own process (the CLI's import, a script), and in the bench process the
// earlier 100,000-item passes leave V8 a heap limit sized for them, under which the streamed
// pass's garbage piled up to 466 MB of RSS growth before a collection.

const WAREHOUSES = 3;

/** What the parent sends the child. */
interface StreamRequest {
  readonly kind: 'postgres' | 'sqlite';
  readonly options: BenchOptions;
  readonly environment: Environment;
}

/** What the child sends back: a progress line, or its result rows (or why it failed). */
type StreamMessage =
  | { readonly log: string }
  | { readonly rows: ResultRow[] }
  | { readonly failed: string };

/**
 * Runs the streamed import of `kind` in a fresh Node process (same flags as this one) and returns
 * its result row; the row's memory columns are the child's.
 */
export function streamInFreshProcess(
  context: ScenarioContext,
  kind: 'postgres' | 'sqlite',
): Promise<ResultRow[]> {
  const label = streamLabel(kind, context.options.streamRows);
  return new Promise((resolve) => {
    const child = fork(fileURLToPath(import.meta.url), [], {
      execArgv: process.execArgv,
      serialization: 'advanced',
    });
    let rows: ResultRow[] | undefined;
    let failure: string | undefined;
    child.on('message', (message: StreamMessage) => {
      if ('log' in message) context.log(message.log);
      else if ('rows' in message) rows = message.rows;
      else failure = message.failed;
    });
    child.on('error', (error) => {
      failure ??= describe(error);
    });
    child.on('exit', (code) => {
      if (rows) resolve(rows);
      else resolve([skippedRow(label, `failed: ${failure ?? `child exited with code ${code}`}`)]);
    });
    const request: StreamRequest = {
      kind,
      options: context.options,
      environment: context.environment,
    };
    child.send(request);
  });
}

function streamLabel(kind: string, count: number): string {
  return `${kind} · streamed import (${count.toLocaleString('en-US')} new rows, async generator)`;
}

/**
 * The streamed variant: `streamRows` new rows from an async generator (never an array), so the
 * process holds one chunk at a time; reports the RSS growth over the call.
 */
async function streamInto(context: ScenarioContext, kind: StoreKind): Promise<ResultRow[]> {
  const count = context.options.streamRows;
  const handle = await openStore(kind, context, `bulk_stream_${kind}`);
  const label = streamLabel(kind, count);
  if ('skipped' in handle) return [skippedRow(label, handle.skipped)];
  try {
    const stockroom = createStockroom({ store: handle.store });
    await createWarehouses(stockroom, WAREHOUSES);
    return await streamPass(context, stockroom, label, count);
  } finally {
    await handle.dispose();
  }
}

async function streamPass(
  context: ScenarioContext,
  stockroom: Stockroom,
  label: string,
  count: number,
): Promise<ResultRow[]> {
  async function* rows() {
    for (let index = 0; index < count; index += 1) {
      yield {
        sku: skuName('STREAM', Math.floor(index / WAREHOUSES)),
        warehouseId: `wh-${(index % WAREHOUSES) + 1}`,
        quantity: 1 + (index % 90),
      };
    }
  }
  const began = performance.now();
  const { result, peakRssMb, peakHeapMb, baselineRssMb } = await withMemoryPeak(() =>
    stockroom.adjustments.bulkUpdate({ mode: 'set', items: rows() }),
  );
  const seconds = (performance.now() - began) / 1000;
  const failures: string[] = [];
  if (result.applied !== count) failures.push(`${result.applied} of ${count} rows applied`);
  if (result.failed.length > 0) {
    const first = result.failed[0]!;
    failures.push(`${result.failed.length} failed; first: items[${first.index}] ${first.code}`);
  }
  const growth = peakRssMb - baselineRssMb;
  if (growth >= 100) failures.push(`RSS grew ${growth.toFixed(0)} MB (target < 100 MB)`);
  context.log(
    `bulk-import · ${label}: ${seconds.toFixed(1)} s (${(count / seconds).toFixed(0)} rows/s), RSS growth ${growth.toFixed(0)} MB`,
  );
  return [
    timedRow(
      label,
      count / seconds,
      {
        seconds: Number(seconds.toFixed(1)),
        'peak RSS MB': Math.round(peakRssMb),
        'RSS growth MB': Math.round(growth),
        'peak heap MB': Math.round(peakHeapMb),
      },
      { requests: 1, failures },
    ),
  ];
}

// In the child: one request from the parent, the rows back, then exit.
if (process.send && process.argv[1] === fileURLToPath(import.meta.url)) {
  const send = (message: StreamMessage) =>
    new Promise<void>((resolve) => process.send!(message, () => resolve()));
  process.once('message', async (request: StreamRequest) => {
    const context: ScenarioContext = {
      options: request.options,
      environment: request.environment,
      log: (message) => void send({ log: message }),
    };
    try {
      await send({ rows: await streamInto(context, request.kind) });
    } catch (error) {
      await send({ failed: describe(error) });
    }
    process.disconnect();
  });
}
