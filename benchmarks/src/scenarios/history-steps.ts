// The history scenario's plan (sizes per stock row) and the steps it times.
import { performance } from 'node:perf_hooks';
import {
  isStockroomError,
  type ReconcileResult,
  type ReserveItem,
  type Stockroom,
} from '@stockroom/core';
import { describe } from '../environment.js';
import {
  type HistoryClock,
  type HistoryLedger,
  postgresHistoryLedger,
  sqliteHistoryLedger,
} from '../history-ledger.js';
import { LatencyRecorder, runClosedLoop } from '../measure.js';
import { randomInt, seededRandom } from '../random.js';
import type { ResultRow, ScenarioContext } from '../scenario.js';
import { skuName } from '../seeding.js';
import type { StoreHandle, StoreKind } from '../stores.js';
import { reserveOutcomeOf } from '../targets/library-target.js';
import type { ReserveOutcome } from '../targets/reservation-target.js';

export const DAY = 24 * 60 * 60 * 1000;
export const COLD_SKUS = 5000;
export const COLD_WAREHOUSES = 3;
export const HOT_UNITS = 50_000_000;
export const AS_OF_SAMPLES = 2000;

/** The sizes one run works with (all per stock row, from --history-movements and --history-rows). */
export interface Plan {
  readonly rows: number;
  /** Versions of the small "older" history of the first reconcile run. */
  readonly firstOlder: number;
  /** Versions of the "new" movements each reconcile run checks. */
  readonly fresh: number;
  /** Versions added before the second reconcile run, so its older history is the whole one. */
  readonly moreOlder: number;
  /** The version whose checkpoint lets archiving remove the first month. */
  readonly monthVersion: number;
  readonly clock: HistoryClock;
}

export function planOf(movements: number, rows: number, fresh_: number | null): Plan {
  const total = Math.max(4, Math.round(movements / rows));
  const fresh = Math.max(1, Math.round(fresh_ === null ? total / 10 : fresh_ / rows));
  const firstOlder = Math.max(1, Math.round(total / 10));
  const moreOlder = Math.max(0, total - firstOlder - fresh);
  const versions = total + fresh;
  // A year of history that ends an hour ago.
  const step = Math.floor((365 * DAY) / (versions + 2));
  const start = Date.now() - 365 * DAY - DAY / 24;
  return {
    rows,
    firstOlder,
    fresh,
    moreOlder,
    monthVersion: Math.max(1, Math.floor((30 * DAY) / step) - 1),
    clock: { start, step },
  };
}

export async function openLedger(
  context: ScenarioContext,
  kind: StoreKind,
  handle: StoreHandle,
  plan: Plan,
): Promise<HistoryLedger> {
  if (kind === 'postgres') {
    const schema = (handle.store as unknown as { schema: string }).schema;
    return postgresHistoryLedger(context.options.databaseUrl, schema, plan.rows, plan.clock);
  }
  const filename = (handle.store as unknown as { filename: string }).filename;
  return sqliteHistoryLedger(filename, plan.rows, plan.clock);
}

export async function timedReconcile(
  stockroom: Stockroom,
): Promise<{ ms: number; result: ReconcileResult }> {
  const began = performance.now();
  const result = await stockroom.reconciliation.reconcile();
  return { ms: performance.now() - began, result };
}

export function ratioOf(after: ResultRow, before: ResultRow): number | null {
  return after.opsPerSecond !== null && before.opsPerSecond
    ? after.opsPerSecond / before.opsPerSecond
    : null;
}

export async function reserveLoad(
  context: ScenarioContext,
  stockroom: Stockroom,
  kind: 'hot' | 'cold',
  seed: number,
): Promise<ResultRow> {
  const random = seededRandom(seed * 7919);
  const result = await runClosedLoop<ReserveOutcome>(
    { concurrency: context.options.concurrency, durationMs: context.options.durationMs },
    async () => {
      const items: ReserveItem[] =
        kind === 'hot'
          ? [{ sku: 'HOT', quantity: 1 }]
          : Array.from({ length: randomInt(random, 1, 3) }, (_unused, index) => ({
              sku: skuName(
                'COLD',
                (randomInt(random, 0, COLD_SKUS - 1) + index * 1667) % COLD_SKUS,
              ),
              quantity: randomInt(random, 1, 3),
            }));
      try {
        await stockroom.reservations.reserve({ items });
        return 'admitted';
      } catch (error) {
        return reserveOutcomeOf(error);
      }
    },
  );
  const failures: string[] = [];
  if ((result.outcomes.error ?? 0) > 0)
    failures.push(`${result.outcomes.error} request(s) failed: ${describe(result.firstError)}`);
  return {
    variant: kind,
    opsPerSecond: ((result.outcomes.admitted ?? 0) * 1000) / result.elapsedMs,
    latency: result.latencies.summary(),
    requests: result.requests,
    outcomes: { ...result.outcomes },
    retries: null,
    conflicts: null,
    oversold: null,
    ledger: 'n/a',
    extra: {},
    failures,
  };
}

export async function sampleAsOf(
  stockroom: Stockroom,
  plan: Plan,
  from: number,
  to: number,
  seed: number,
): Promise<{ latency: LatencyRecorder; perSecond: number }> {
  const random = seededRandom(seed * 104_729);
  const latency = new LatencyRecorder();
  const skus = Math.max(1, Math.floor(plan.rows / 4));
  const began = performance.now();
  for (let sample = 0; sample < AS_OF_SAMPLES; sample += 1) {
    const sku = skuName('HIST', randomInt(random, 0, skus - 1));
    const instant = new Date(from + Math.floor(random() * (to - from)));
    const start = performance.now();
    await stockroom.availability.stockAsOf(sku, instant).catch((error: unknown) => {
      if (!isStockroomError(error) || error.code !== 'NOT_FOUND') throw error;
    });
    latency.record(performance.now() - start);
  }
  return { latency, perSecond: AS_OF_SAMPLES / ((performance.now() - began) / 1000) };
}
