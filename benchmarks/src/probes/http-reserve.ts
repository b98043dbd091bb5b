/**
 * Per-request counts for reserve over HTTP: the example server as the HTTP scenario starts it
 * (SQLite, in-process cache, logging silent), autocannon from a worker thread, and the server
 * thread's CPU (`/proc/self/task/<pid>/stat`), garbage collections and batches counted over the
 * run; or the same reservations made directly. CPU time still moves with the machine's load:
 * compare trees in alternating runs. `SERVER_SRC` names the server's source folder (a copy of
 * an earlier tree's `src` beside it), as it does for the HTTP scenario. `ALLOCATIONS=1` adds the
 * bytes allocated per request on the server thread (the inspector's sampling heap profiler).
 * Usage: node --import tsx src/probes/http-reserve.ts [http|direct|check] [seconds] [connections]
 */

import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import type { Stockroom } from '@stockroom/core';
import autocannon from 'autocannon';
import { runClosedLoop } from '../measure.js';
import { serverEnvironment } from '../scenarios/http.js';
import { startHeapSampling } from './heap-sampling.js';

const mode = process.argv[2] ?? 'http';
const seconds = Number(process.argv[3] ?? 5);
const connections = Number(process.argv[4] ?? 64);
const SERVER = '@stockroom/example-express-server';

/** The main thread's user + system CPU in microseconds (clock ticks of 10 ms). */
function threadCpuMicros(): number {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

const gcs = { minor: 0, major: 0, ms: 0 };
let counting = false;
new PerformanceObserver((list) => {
  if (!counting) return;
  for (const entry of list.getEntries()) {
    const kind = (entry as unknown as { detail?: { kind?: number } }).detail?.kind;
    if (kind === 1) gcs.minor += 1;
    else gcs.major += 1;
    gcs.ms += entry.duration;
  }
}).observe({ entryTypes: ['gc'] });

const { loadConfig } = (await import(`${SERVER}/${process.env.SERVER_SRC ?? 'src'}/config.ts`)) as {
  loadConfig(env: Record<string, string>): unknown;
};
const { startService } = (await import(
  `${SERVER}/${process.env.SERVER_SRC ?? 'src'}/start-service.ts`
)) as {
  startService(
    config: unknown,
  ): Promise<{ url: string; stockroom: Stockroom; close(): Promise<void> }>;
};
const directory = await mkdtemp(join(tmpdir(), 'stockroom-probe-http-'));
const apiKey = `probe-${randomBytes(16).toString('hex')}`;
const service = await startService(loadConfig(serverEnvironment(directory, apiKey)));
const { stockroom, url } = service;
await stockroom.warehouses.create({ id: 'wh-probe', name: 'probe' });
await stockroom.adjustments.adjust({
  sku: 'HOT',
  warehouseId: 'wh-probe',
  type: 'RESTOCK',
  quantity: 10_000_000,
});
const headers = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
const run = async (duration: number) => {
  if (mode === 'direct') {
    const result = await runClosedLoop(
      { concurrency: connections, durationMs: duration * 1000 },
      async () => {
        await stockroom.reservations.reserve({ items: [{ sku: 'HOT', quantity: 1 }] });
        return 'ok';
      },
    );
    return result.requests;
  }
  const result = await autocannon({
    url:
      mode === 'check'
        ? `${url}/api/v1/inventory/check?sku=HOT&quantity=1`
        : `${url}/api/v1/reservations`,
    method: mode === 'check' ? 'GET' : 'POST',
    headers,
    ...(mode === 'check' ? {} : { body: JSON.stringify({ items: [{ sku: 'HOT', quantity: 1 }] }) }),
    connections,
    duration,
    workers: 1,
  });
  return result.requests.total;
};
await run(1); // warm-up
// ALLOCATIONS=1: the inspector's sampling heap profiler, counting collected objects too.
const sampling =
  process.env.ALLOCATIONS === '1' ? await startHeapSampling({ minor: true }) : undefined;
const batches = { ...stockroom.stats.batches };
counting = true;
const cpu = threadCpuMicros();
const started = performance.now();
const requests = await run(seconds);
const elapsed = performance.now() - started;
const spent = threadCpuMicros() - cpu;
counting = false;
let allocatedBytes = 0;
if (sampling) {
  const pending = [await sampling.stop()];
  for (let node = pending.pop(); node; node = pending.pop()) {
    allocatedBytes += node.selfSize;
    pending.push(...node.children);
  }
}
const batchCount = stockroom.stats.batches.count - batches.count;
const batchRequests = stockroom.stats.batches.requests - batches.requests;
console.log(
  JSON.stringify({
    mode,
    requests,
    perSecond: Math.round((requests * 1000) / elapsed),
    cpuMicrosPerRequest: Math.round((spent / requests) * 10) / 10,
    threadBusy: Math.round((spent / 1000 / elapsed) * 100) / 100,
    minorGcPer1k: Math.round((gcs.minor / requests) * 10000) / 10,
    majorGcs: gcs.major,
    gcMsPerRequestMicros: Math.round((gcs.ms * 1000 * 10) / requests) / 10,
    averageBatch: batchCount === 0 ? 0 : Math.round((batchRequests / batchCount) * 10) / 10,
    ...(sampling
      ? { kilobytesPerRequest: Math.round(allocatedBytes / requests / 102.4) / 10 }
      : {}),
  }),
);
await service.close();
await rm(directory, { recursive: true, force: true });
