/**
 * What the streamed import holds: imports N new rows from an async generator (the bench's
 * streamed pass: same items, same store setup) in this process, sampling `process.memoryUsage()`
 * and V8's heap spaces every 20 ms, and prints the peaks over the process's state before the
 * call, the heap after each full collection, and the process CPU.
 * Usage: node --import tsx src/probes/stream-memory.ts <postgres|sqlite> [rows]
 */

import { PerformanceObserver, performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import { Worker } from 'node:worker_threads';
import { createStockroom } from '@stockroom/core';
import { parseOptions } from '../options.js';
import type { ScenarioContext } from '../scenario.js';
import { createWarehouses, skuName } from '../seeding.js';
import { openStore, type StoreKind } from '../stores.js';
import { type SampledNode, startHeapSampling } from './heap-sampling.js';

const kind = (process.argv[2] ?? 'postgres') as StoreKind;
const count = Number(process.argv[3] ?? 1_000_000);
const WAREHOUSES = 3;
const mb = (bytes: number) => bytes / (1024 * 1024);

const context: ScenarioContext = {
  options: parseOptions([]),
  environment: {
    postgres: { url: '', version: '' },
    redis: { url: '', version: '' },
  },
  log: (message) => console.error(message),
};

const handle = await openStore(kind, context, `probe_stream_${kind}`);
if ('skipped' in handle) throw new Error(String(handle.skipped));
// BATCH=<n>: policies.bulkBatchSize (the store's default otherwise).
const stockroom = createStockroom({
  store: handle.store,
  ...(process.env.BATCH ? { policies: { bulkBatchSize: Number(process.env.BATCH) } } : {}),
});
await createWarehouses(stockroom, WAREHOUSES);

// SNAPSHOT_AT=<n>: a heap snapshot when the generator reaches row n (the file name on stderr).
const snapshotAt = Number(process.env.SNAPSHOT_AT ?? -1);

async function* rows() {
  for (let index = 0; index < count; index += 1) {
    if (index === snapshotAt) console.error(`snapshot: ${v8.writeHeapSnapshot()}`);
    yield {
      sku: skuName('STREAM', Math.floor(index / WAREHOUSES)),
      warehouseId: `wh-${(index % WAREHOUSES) + 1}`,
      quantity: 1 + (index % 90),
    };
  }
}

interface Peaks {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  spaces: Record<string, number>;
}
const space = () =>
  Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name, s.space_size]));
const before = { ...process.memoryUsage(), spaces: space() };
const peaks: Peaks = {
  rss: before.rss,
  heapUsed: before.heapUsed,
  heapTotal: before.heapTotal,
  external: before.external,
  arrayBuffers: before.arrayBuffers,
  spaces: { ...before.spaces },
};
let samples = 0;
const sample = () => {
  samples += 1;
  const usage = process.memoryUsage();
  peaks.rss = Math.max(peaks.rss, usage.rss);
  peaks.heapUsed = Math.max(peaks.heapUsed, usage.heapUsed);
  peaks.heapTotal = Math.max(peaks.heapTotal, usage.heapTotal);
  peaks.external = Math.max(peaks.external, usage.external);
  peaks.arrayBuffers = Math.max(peaks.arrayBuffers, usage.arrayBuffers);
  for (const [name, size] of Object.entries(space())) {
    peaks.spaces[name] = Math.max(peaks.spaces[name] ?? 0, size);
  }
};
// Full collections: the heap used right after each (sampled at the next tick).
const afterMajor: number[] = [];
let gcs = { minor: 0, major: 0 };
const observer = new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    const detail = (entry as unknown as { detail?: { kind?: number } }).detail;
    if (detail?.kind === 1) gcs.minor += 1;
    else if (detail?.kind === 4) {
      gcs.major += 1;
      afterMajor.push(mb(process.memoryUsage().heapUsed));
    }
  }
});
observer.observe({ entryTypes: ['gc'] });
gcs = { minor: 0, major: 0 };

// PROFILE=1: the sampling heap profiler over the import (every allocation, collected or not;
// PROFILE=old: only what outlived a scavenge),
// its top functions by bytes on stderr.
const sampling = process.env.PROFILE
  ? await startHeapSampling({ minor: process.env.PROFILE !== 'old' })
  : undefined;

// The process's RSS sampled every 20 ms from a thread of its own as well: the main thread's
// timer only fires when its event loop turns, which a SQLite import did not let it do until
// imports turned it between chunks.
const rssSampler = new Worker(
  `const { parentPort } = require('node:worker_threads');
  let peak = 0;
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage.rss()); }, 20);
  parentPort.on('message', () => { clearInterval(timer); parentPort.postMessage(peak); parentPort.close(); });`,
  { eval: true },
);
await new Promise((resolve) => setTimeout(resolve, 200));
const threadBefore = process.memoryUsage().rss;

const timer = setInterval(sample, 20);
const cpu = process.cpuUsage();
const began = performance.now();
const result = await stockroom.adjustments.bulkUpdate({ mode: 'set', items: rows() });
const seconds = (performance.now() - began) / 1000;
const used = process.cpuUsage(cpu);
sample();
clearInterval(timer);
observer.disconnect();
const threadPeak = await new Promise<number>((resolve) => {
  rssSampler.once('message', resolve);
  rssSampler.postMessage('stop');
});
if (sampling) {
  const head = await sampling.stop();
  const bySite = new Map<string, number>();
  const walk = (node: SampledNode) => {
    const frame = node.callFrame;
    const site = `${frame.functionName || '(anonymous)'} ${frame.url.split('/').slice(-2).join('/')}:${frame.lineNumber + 1}`;
    bySite.set(site, (bySite.get(site) ?? 0) + node.selfSize);
    for (const child of node.children) walk(child);
  };
  walk(head);
  const total = [...bySite.values()].reduce((sum, bytes) => sum + bytes, 0);
  console.error(`sampled allocations: ${mb(total).toFixed(0)} MB`);
  for (const [site, bytes] of [...bySite].sort((a, b) => b[1] - a[1]).slice(0, 40)) {
    console.error(`${mb(bytes).toFixed(1).padStart(8)} MB  ${site}`);
  }
}
await handle.dispose();

const growth = (name: keyof Omit<Peaks, 'spaces'>) =>
  `${mb(peaks[name] - (before[name] as number)).toFixed(1)}`;
console.log(
  JSON.stringify({
    kind,
    count,
    applied: result.applied,
    failed: result.failed.length,
    seconds: Number(seconds.toFixed(1)),
    // Samples taken (one every 20 ms when the event loop turns).
    samples,
    cpuSeconds: Number(((used.user + used.system) / 1e6).toFixed(1)),
    rssBeforeMb: Number(mb(before.rss).toFixed(1)),
    rssGrowthMb: Number(growth('rss')),
    threadRssGrowthMb: Number(mb(Math.max(threadPeak, peaks.rss) - threadBefore).toFixed(1)),
    heapUsedPeakMb: Number(mb(peaks.heapUsed).toFixed(1)),
    heapUsedBeforeMb: Number(mb(before.heapUsed).toFixed(1)),
    heapTotalGrowthMb: Number(growth('heapTotal')),
    arrayBuffersGrowthMb: Number(growth('arrayBuffers')),
    externalGrowthMb: Number(growth('external')),
    spacesPeakMb: Object.fromEntries(
      Object.entries(peaks.spaces).map(([name, size]) => [
        name,
        `${mb(before.spaces[name] ?? 0).toFixed(1)}→${mb(size).toFixed(1)}`,
      ]),
    ),
    gcs,
    afterMajorMb: afterMajor.map((value) => Number(value.toFixed(1))),
  }),
);
