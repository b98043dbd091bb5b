import { describe } from './environment.js';
import { LatencyRecorder, median, runClosedLoop } from './measure.js';
import type { ResultRow, ScenarioContext } from './scenario.js';
import { skippedRow } from './scenario.js';
import {
  counterDelta,
  type ReservationTarget,
  type ReserveOutcome,
  type TargetCounters,
} from './targets/reservation-target.js';

/** The SKU every caller reserves during the timed rounds: stocked so that it never runs out. */
const HOT_SKU = 'HOT-1';
const HOT_UNITS = 10_000_000;
/** The SKU of the sell-out check: a small stock that the crowd exhausts. */
const SELL_OUT_SKU = 'HOT-SELL-OUT';

/** One variant of a hot-SKU scenario: how to open its target. */
export interface HotVariant {
  readonly label: string;
  open(): Promise<ReservationTarget | { readonly skipped: string }>;
}

/** What the workload measured for one variant, before it becomes a table row. */
export interface HotMeasurement {
  readonly label: string;
  readonly row: ResultRow;
  /** Admitted reservations per second of each round. */
  readonly roundRates: readonly number[];
}

interface Accumulated {
  readonly target: ReservationTarget;
  readonly label: string;
  readonly latencies: LatencyRecorder;
  readonly rates: number[];
  readonly outcomes: Record<string, number>;
  requests: number;
  counters: TargetCounters;
  firstError: unknown;
}

function add(outcomes: Record<string, number>, more: Partial<Record<string, number>>): void {
  for (const [key, value] of Object.entries(more))
    outcomes[key] = (outcomes[key] ?? 0) + (value ?? 0);
}

/**
 * The hot-SKU workload shared by scenarios 1–3: `concurrency` callers each reserve 1 unit of one
 * SKU in a closed loop. Variants are opened together and measured round by round, alternating,
 * so every variant sees the same machine load; ops/s is the median of the rounds, latencies are
 * pooled. Then each variant runs the sell-out check (a small stock, the same crowd, until every
 * caller was refused for lack of stock: admitted must equal the stock exactly) and the ledger
 * check, and is closed.
 */
export async function runHotVariants(
  context: ScenarioContext,
  scenario: string,
  variants: readonly HotVariant[],
): Promise<HotMeasurement[]> {
  const { options } = context;
  const opened: Accumulated[] = [];
  const skipped = new Map<string, string>();
  try {
    // Opened together: a Postgres schema's migration takes seconds on a loaded machine.
    const results = await Promise.all(
      variants.map(async (variant): Promise<ReservationTarget | { skipped: string }> => {
        let target: ReservationTarget | undefined;
        try {
          const opened = await variant.open();
          if ('skipped' in opened) return opened;
          target = opened;
          await target.seed(HOT_SKU, HOT_UNITS);
          return target;
        } catch (error) {
          await target?.close().catch(() => undefined);
          return { skipped: `failed to start: ${describe(error)}` };
        }
      }),
    );
    results.forEach((target, index) => {
      const label = variants[index]!.label;
      if ('skipped' in target) {
        skipped.set(label, target.skipped);
        context.log(`${scenario} · ${label}: skipped: ${target.skipped}`);
        return;
      }
      opened.push({
        target,
        label,
        latencies: new LatencyRecorder(),
        rates: [],
        outcomes: {},
        requests: 0,
        counters: { retries: 0, conflicts: 0 },
        firstError: undefined,
      });
    });
    for (let round = 1; round <= options.rounds; round += 1) {
      for (const entry of opened) {
        const before = entry.target.counters();
        const result = await runClosedLoop<ReserveOutcome>(
          {
            concurrency: options.concurrency,
            durationMs: options.durationMs,
            maxRequests: options.maxRequestsPerRound,
          },
          () => entry.target.reserve(HOT_SKU, 1),
        );
        const delta = counterDelta(entry.target.counters(), before);
        entry.counters = sumCounters(entry.counters, delta);
        entry.latencies.merge(result.latencies);
        add(entry.outcomes, result.outcomes);
        entry.requests += result.requests;
        entry.firstError ??= result.firstError;
        const rate = ((result.outcomes.admitted ?? 0) * 1000) / result.elapsedMs;
        entry.rates.push(rate);
        context.log(
          `${scenario} · ${entry.label} · round ${round}/${options.rounds}: ${rate.toFixed(0)} reservations/s`,
        );
      }
    }
    const measurements: HotMeasurement[] = [];
    for (const entry of opened) measurements.push(await finish(context, scenario, entry));
    return variants.map(
      (variant) =>
        measurements.find((measurement) => measurement.label === variant.label) ?? {
          label: variant.label,
          row: skippedRow(variant.label, skipped.get(variant.label) ?? 'not run'),
          roundRates: [],
        },
    );
  } finally {
    for (const entry of opened) await entry.target.close().catch(() => undefined);
  }
}

function sumCounters(left: TargetCounters, right: TargetCounters): TargetCounters {
  const batches =
    left.batches || right.batches
      ? {
          count: (left.batches?.count ?? 0) + (right.batches?.count ?? 0),
          requests: (left.batches?.requests ?? 0) + (right.batches?.requests ?? 0),
          largest: Math.max(left.batches?.largest ?? 0, right.batches?.largest ?? 0),
        }
      : undefined;
  return {
    retries: left.retries + right.retries,
    conflicts: left.conflicts + right.conflicts,
    ...(batches ? { batches } : {}),
  };
}

async function finish(
  context: ScenarioContext,
  scenario: string,
  entry: Accumulated,
): Promise<HotMeasurement> {
  const { options } = context;
  const failures: string[] = [];
  const extra: Record<string, string | number> = {};
  const admitted = entry.outcomes.admitted ?? 0;

  // The timed rounds: every admitted unit is reserved on the row, none lost, none doubled.
  const hot = await entry.target.stock(HOT_SKU);
  if (hot.available !== HOT_UNITS - admitted || hot.reserved !== admitted) {
    failures.push(
      `timed rounds: ${admitted} admitted but the row holds available ${hot.available}, reserved ${hot.reserved}`,
    );
  }
  let oversold = Math.max(0, admitted - HOT_UNITS);
  const refusedWithStock = entry.outcomes.refused ?? 0;
  if (refusedWithStock > 0) {
    failures.push(
      `timed rounds: ${refusedWithStock} request(s) refused for lack of stock while stock remained`,
    );
  }

  // The sell-out check: the crowd empties a small stock; exactly the stock is admitted.
  const units = options.sellOutUnits;
  await entry.target.seed(SELL_OUT_SKU, units);
  const sellOut = await runClosedLoop<ReserveOutcome>(
    {
      concurrency: options.concurrency,
      durationMs: 60_000,
      maxRequests: units * 20 + options.concurrency * 4,
      stopCallerOn: ['refused'],
    },
    () => entry.target.reserve(SELL_OUT_SKU, 1),
  );
  const sold = sellOut.outcomes.admitted ?? 0;
  const after = await entry.target.stock(SELL_OUT_SKU);
  // Counted from the replies and from the row; the larger is the oversell.
  oversold += Math.max(0, sold - units, after.reserved - units);
  if (after.available !== units - sold || after.reserved !== sold) {
    failures.push(
      `sell-out: ${sold} admitted of ${units} but the row holds available ${after.available}, reserved ${after.reserved}`,
    );
  }
  extra['sell-out'] = `${sold}/${units}`;
  if (sold < units) extra['left unsold'] = units - sold;
  if (sellOut.firstError) failures.push(`sell-out error: ${describe(sellOut.firstError)}`);
  if (oversold > 0) failures.push(`${oversold} unit(s) oversold`);

  const problems = await entry.target.verifyLedger();
  failures.push(...problems);

  const errors = entry.outcomes.error ?? 0;
  if (errors > 0) failures.push(`${errors} request(s) failed: ${describe(entry.firstError)}`);
  const batches = entry.counters.batches;
  if (batches && batches.count > 0) {
    extra['avg batch'] = Number((batches.requests / batches.count).toFixed(1));
    extra['largest batch'] = batches.largest;
  }
  const refusedByConflict = entry.outcomes.conflict ?? 0;
  if (refusedByConflict > 0) extra['refused by conflict'] = refusedByConflict;
  context.log(
    `${scenario} · ${entry.label}: sell-out ${sold}/${units}, oversold ${oversold}, ledger ${problems.length === 0 ? 'ok' : 'MISMATCH'}`,
  );
  return {
    label: entry.label,
    roundRates: entry.rates,
    row: {
      variant: entry.label,
      opsPerSecond: entry.rates.length > 0 ? median(entry.rates) : null,
      latency: entry.latencies.summary(),
      requests: entry.requests,
      outcomes: { ...entry.outcomes },
      retries: entry.counters.retries,
      conflicts: entry.counters.conflicts,
      oversold,
      ledger: problems.length === 0 ? 'ok' : 'mismatch',
      extra,
      failures,
    },
  };
}
