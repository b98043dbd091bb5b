import { setTimeout as sleep } from 'node:timers/promises';
import type { Stockroom } from '@stockroom/core';
import { type ClosedLoopResult, runClosedLoop } from '../measure.js';
import type { ScenarioContext } from '../scenario.js';
import { reserveOutcomeOf } from '../targets/library-target.js';
import type { Running } from './availability.js';

// The hot-SKU variant of the availability scenario: 64 checkers on one SKU while a writer
// reserves it 200 times a second; every answer is checked against the writes committed before
// the check started.

/** Hot-SKU variant: one SKU in one warehouse, with enough units never to sell out. */
export const HOT_SKU = 'HOT-CHECK';
export const HOT_UNITS = 1_000_000;
/** The hot-SKU writer's rate: one reservation every 5 ms. */
export const HOT_WRITES_PER_SECOND = 200;

/** What the hot-SKU variant counts on top of the uniform one. */
export interface HotCounters {
  /** Reservations committed (answered) so far: the floor of every check that starts now. */
  committed: number;
  /** Checks whose answer was older than the last write committed before they started. */
  older: number;
  /** The first such answer, for the report. */
  example: string | undefined;
  coalesced: number;
}

/** The cache counters, also from a stockroom that predates `coalesced` (before/after runs). */
export function cacheCounters(stockroom: Stockroom) {
  const cache = stockroom.stats.cache as { hits: number; misses: number; errors: number } & {
    coalesced?: number;
  };
  return {
    hits: cache.hits,
    misses: cache.misses,
    errors: cache.errors,
    coalesced: cache.coalesced ?? 0,
  };
}

/**
 * One round of the hot-SKU variant: a writer reserves one unit of the hot SKU every 5 ms (each
 * reservation sent on time, whether or not the previous one answered), while every checker
 * checks that SKU in a closed loop. Each check notes how many reservations had committed when
 * it started; available units only go down here, so an answer with more units than
 * `HOT_UNITS - committed`, or an older row version, is older than a committed write.
 */
export async function measureHotRound(context: ScenarioContext, entry: Running): Promise<number> {
  const { options } = context;
  const counters = entry.hotCounters;
  const before = cacheCounters(entry.stockroom);
  const baseVersion = 1; // the row as seeded
  let writing = true;
  const inFlight = new Set<Promise<void>>();
  const writer = (async () => {
    const started = performance.now();
    let sent = 0;
    while (writing) {
      const due = started + (sent * 1000) / HOT_WRITES_PER_SECOND;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      if (!writing) break;
      sent += 1;
      const write = entry.stockroom.reservations
        .reserve({ items: [{ sku: HOT_SKU, quantity: 1 }] })
        .then(
          () => {
            counters.committed += 1;
            entry.admittedUnits.set(HOT_SKU, (entry.admittedUnits.get(HOT_SKU) ?? 0) + 1);
          },
          (error: unknown) => {
            reserveOutcomeOf(error);
          },
        )
        .finally(() => {
          entry.writes += 1;
          inFlight.delete(write);
        });
      inFlight.add(write);
    }
  })();
  const result = await runClosedLoop<'checked'>(
    // No request budget: the round lasts its duration, so the writer sends its 200 a second.
    { concurrency: options.concurrency, durationMs: options.durationMs },
    async () => {
      // Each check is its own macrotask, as behind an HTTP server: an in-process cache answers
      // without I/O, and a loop of such checks would otherwise never let the writer's timer run.
      await new Promise((resolve) => setImmediate(resolve));
      const floor = counters.committed;
      const answer = await entry.stockroom.availability.check({ sku: HOT_SKU, quantity: 1 });
      const versions = (answer as { rowVersions?: Readonly<Record<string, number>> }).rowVersions;
      const version = versions ? Object.values(versions)[0] : undefined;
      const unitsOlder = answer.availableQuantity > HOT_UNITS - floor;
      const versionOlder = version !== undefined && version < baseVersion + floor;
      if (unitsOlder || versionOlder) {
        counters.older += 1;
        counters.example ??= `answered ${answer.availableQuantity} units${version === undefined ? '' : ` at version ${version}`} after ${floor} committed reservations (expected at most ${HOT_UNITS - floor} units${version === undefined ? '' : `, version ≥ ${baseVersion + floor}`})`;
      }
      return 'checked';
    },
  );
  writing = false;
  await writer;
  await Promise.all(inFlight);
  const after = cacheCounters(entry.stockroom);
  counters.coalesced += after.coalesced - before.coalesced;
  return recordRound(entry, before, after, result);
}

/** Adds one round's cache counters, latencies and errors to its variant; returns checks/s. */
export function recordRound(
  entry: Running,
  before: CacheCounts,
  after: CacheCounts,
  result: ClosedLoopResult<'checked'>,
): number {
  entry.hits += after.hits - before.hits;
  entry.misses += after.misses - before.misses;
  entry.errors += after.errors - before.errors;
  entry.latencies.merge(result.latencies);
  entry.requests += result.requests;
  entry.firstError ??= result.firstError;
  if (result.outcomes.error)
    entry.firstError ??= new Error(`${result.outcomes.error} checks failed`);
  const rate = ((result.outcomes.checked ?? 0) * 1000) / result.elapsedMs;
  entry.rates.push(rate);
  return rate;
}

/** A cache's hit, miss and error counts at one moment. */
interface CacheCounts {
  readonly hits: number;
  readonly misses: number;
  readonly errors: number;
}
