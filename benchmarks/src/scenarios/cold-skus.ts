import { performance } from 'node:perf_hooks';
import {
  createStockroom,
  type InventoryStock,
  type ReserveItem,
  type Stockroom,
} from '@stockroom/core';
import { readAll } from '@stockroom/core/testing';
import { describe } from '../environment.js';
import { verifyStore } from '../ledger-check.js';
import { LatencyRecorder, median, runClosedLoop } from '../measure.js';
import { randomInt, seededRandom } from '../random.js';
import {
  type Ratio,
  type ResultRow,
  type Scenario,
  type ScenarioContext,
  skippedRow,
} from '../scenario.js';
import { createWarehouses, setStockLevels, skuName } from '../seeding.js';
import { openStore, type StoreHandle, type StoreKind } from '../stores.js';
import { reserveOutcomeOf } from '../targets/library-target.js';
import type { ReserveOutcome } from '../targets/reservation-target.js';
import { ratioOf } from './library-variants.js';
import { openVariants } from './open-variants.js';

const UNITS_PER_ROW = 1000;
const WAREHOUSES = 3;

interface Variant {
  readonly label: string;
  readonly kind: StoreKind;
  /** The lanes' batches in flight (the store's default when absent). */
  readonly batchesInFlight?: number;
}

interface Running {
  readonly variant: Variant;
  readonly handle: StoreHandle;
  readonly stockroom: Stockroom;
  readonly admittedUnits: Map<string, number>;
  readonly latencies: LatencyRecorder;
  readonly rates: number[];
  readonly outcomes: Record<string, number>;
  readonly seeding: string;
  /** Retries and conflicts before the timed rounds (seeding's), subtracted in the report. */
  readonly statsAtStart: { readonly retries: number; readonly conflicts: number };
  requests: number;
  lines: number;
  firstError: unknown;
}

/** Scenario 4: uniform random multi-line orders over many SKUs × 3 warehouses. */
export const coldSkusScenario: Scenario = {
  id: 'cold-skus',
  number: 4,
  title: 'Cold SKUs: uniform random multi-line orders over many SKUs × 3 warehouses',
  async run(context) {
    const { options } = context;
    const variants: Variant[] = [
      { label: 'postgres · optimistic · batched', kind: 'postgres' },
      {
        label: 'postgres · batched · 1 batch in flight',
        kind: 'postgres',
        batchesInFlight: 1,
      },
      { label: 'sqlite · batched', kind: 'sqlite' },
      { label: 'memory · batched', kind: 'memory' },
    ];
    const running: Running[] = [];
    const rows: ResultRow[] = [];
    const skipped = new Map<string, string>();
    try {
      await openVariants(context, 'cold-skus', variants, openVariant, running, skipped);
      for (let round = 1; round <= options.rounds; round += 1) {
        for (const entry of running) {
          const random = seededRandom(round * 7919 + running.indexOf(entry));
          const result = await runClosedLoop<ReserveOutcome>(
            {
              concurrency: options.concurrency,
              durationMs: options.durationMs,
              // About 2 lines an order: the same bound on ledger rows as the hot-SKU rounds.
              maxRequests: Math.ceil(options.maxRequestsPerRound / 2),
            },
            async () => {
              const items = randomOrder(random, options.coldSkus);
              try {
                await entry.stockroom.reservations.reserve({ items });
              } catch (error) {
                return reserveOutcomeOf(error);
              }
              for (const item of items) {
                entry.admittedUnits.set(
                  item.sku,
                  (entry.admittedUnits.get(item.sku) ?? 0) + item.quantity,
                );
              }
              entry.lines += items.length;
              return 'admitted';
            },
          );
          entry.latencies.merge(result.latencies);
          for (const [key, value] of Object.entries(result.outcomes))
            entry.outcomes[key] = (entry.outcomes[key] ?? 0) + (value ?? 0);
          entry.requests += result.requests;
          entry.firstError ??= result.firstError;
          const rate = ((result.outcomes.admitted ?? 0) * 1000) / result.elapsedMs;
          entry.rates.push(rate);
          context.log(
            `cold-skus · ${entry.variant.label} · round ${round}/${options.rounds}: ${rate.toFixed(0)} orders/s`,
          );
        }
      }
      for (const entry of running) rows.push(await finish(context, entry));
    } finally {
      for (const entry of running) await entry.handle.dispose().catch(() => undefined);
    }
    return {
      rows: variants.map(
        (variant) =>
          rows.find((row) => row.variant === variant.label) ??
          skippedRow(variant.label, skipped.get(variant.label) ?? 'not run'),
      ),
      ratios: coldRatios(running),
      notes: [
        `${options.coldSkus.toLocaleString('en-US')} SKUs × ${WAREHOUSES} warehouses, ${UNITS_PER_ROW} units per row; each order has 1–3 distinct SKUs chosen uniformly, 1–3 units each, warehouses chosen by the default allocation; ${options.concurrency} callers.`,
        `ops/s counts admitted orders (each one reservation with its lines). Seeding: ${[...new Set(running.map((entry) => entry.seeding))].join(', ') || 'n/a'}.`,
      ],
    };
  },
};

/** PostgreSQL against SQLite (the target), and what the second batch in flight adds. */
function coldRatios(running: readonly Running[]): Ratio[] {
  const rate = (label: string) => {
    const entry = running.find((each) => each.variant.label === label);
    return entry && entry.rates.length > 0 ? median(entry.rates) : null;
  };
  const postgres = rate('postgres · optimistic · batched');
  const single = rate('postgres · batched · 1 batch in flight');
  const sqlite = rate('sqlite · batched');
  return [
    {
      label: 'postgres ÷ sqlite (orders/s, target ≥ 0.8)',
      value: ratioOf(postgres, sqlite),
    },
    {
      label: 'postgres: 2 batches in flight (the default) ÷ 1',
      value: ratioOf(postgres, single),
    },
  ];
}

function randomOrder(random: () => number, skus: number): ReserveItem[] {
  const lines = randomInt(random, 1, 3);
  const chosen = new Set<number>();
  while (chosen.size < lines) chosen.add(randomInt(random, 0, skus - 1));
  return [...chosen].map((index) => ({
    sku: skuName('COLD', index),
    quantity: randomInt(random, 1, 3),
  }));
}

async function openVariant(
  context: ScenarioContext,
  variant: Variant,
): Promise<Running | { skipped: string }> {
  const handle = await openStore(
    variant.kind,
    context,
    `cold_${variant.kind}${variant.batchesInFlight ?? ''}`,
  );
  if ('skipped' in handle) return handle;
  try {
    const stockroom = createStockroom({
      store: handle.store,
      ...(variant.batchesInFlight === undefined
        ? {}
        : { policies: { reservations: { batchesInFlight: variant.batchesInFlight } } }),
    });
    const warehouses = await createWarehouses(stockroom, WAREHOUSES);
    const items = [];
    for (let index = 0; index < context.options.coldSkus; index += 1) {
      for (const warehouseId of warehouses) {
        items.push({ sku: skuName('COLD', index), warehouseId, quantity: UNITS_PER_ROW });
      }
    }
    const began = performance.now();
    const seeding = await setStockLevels(stockroom, items);
    context.log(
      `cold-skus · ${variant.label}: seeded ${items.length.toLocaleString('en-US')} rows with ${seeding} in ${((performance.now() - began) / 1000).toFixed(1)} s`,
    );
    return {
      variant,
      handle,
      stockroom,
      seeding,
      statsAtStart: { retries: stockroom.stats.retries, conflicts: stockroom.stats.conflicts },
      admittedUnits: new Map(),
      latencies: new LatencyRecorder(),
      rates: [],
      outcomes: {},
      requests: 0,
      lines: 0,
      firstError: undefined,
    };
  } catch (error) {
    await handle.dispose().catch(() => undefined);
    throw error;
  }
}

async function finish(context: ScenarioContext, entry: Running): Promise<ResultRow> {
  const failures: string[] = [];
  const stock = await readAll<InventoryStock>((page) => entry.handle.store.reads.allStock(page));
  const bySku = new Map<string, { available: number; reserved: number }>();
  for (const row of stock) {
    const sums = bySku.get(row.sku) ?? { available: 0, reserved: 0 };
    sums.available += row.available;
    sums.reserved += row.reserved;
    bySku.set(row.sku, sums);
  }
  let oversold = 0;
  let mismatched = 0;
  for (const [sku, sums] of bySku) {
    const admitted = entry.admittedUnits.get(sku) ?? 0;
    const initial = UNITS_PER_ROW * WAREHOUSES;
    oversold += Math.max(0, admitted - initial, sums.reserved - initial);
    if (sums.reserved !== admitted || sums.available + sums.reserved !== initial) mismatched += 1;
  }
  if (mismatched > 0)
    failures.push(`${mismatched} SKU(s) whose rows disagree with the admitted orders`);
  if (oversold > 0) failures.push(`${oversold} unit(s) oversold`);
  const problems = await verifyStore(entry.handle.store);
  failures.push(...problems);
  const errors = entry.outcomes.error ?? 0;
  if (errors > 0) failures.push(`${errors} request(s) failed: ${describe(entry.firstError)}`);
  const stats = entry.stockroom.stats;
  const admittedOrders = entry.outcomes.admitted ?? 0;
  const extra: Record<string, string | number> = {
    'lines/order': admittedOrders > 0 ? Number((entry.lines / admittedOrders).toFixed(2)) : 0,
  };
  if (stats.batches.count > 0)
    extra['avg batch'] = Number((stats.batches.requests / stats.batches.count).toFixed(1));
  if ((entry.outcomes.conflict ?? 0) > 0) extra['refused by conflict'] = entry.outcomes.conflict!;
  context.log(
    `cold-skus · ${entry.variant.label}: oversold ${oversold}, ledger ${problems.length === 0 ? 'ok' : 'MISMATCH'}`,
  );
  return {
    variant: entry.variant.label,
    opsPerSecond: entry.rates.length > 0 ? median(entry.rates) : null,
    latency: entry.latencies.summary(),
    requests: entry.requests,
    outcomes: { ...entry.outcomes },
    retries: stats.retries - entry.statsAtStart.retries,
    conflicts: stats.conflicts - entry.statsAtStart.conflicts,
    oversold,
    ledger: problems.length === 0 ? 'ok' : 'mismatch',
    extra,
    failures,
  };
}
