import { performance } from 'node:perf_hooks';
import { createStockroom, type InventoryStock, type Stockroom } from '@stockroom/core';
import { readAll } from '@stockroom/core/testing';
import { describe } from '../environment.js';
import { verifyStore } from '../ledger-check.js';
import { LatencyRecorder, median, runClosedLoop } from '../measure.js';
import { seededRandom } from '../random.js';
import {
  type Ratio,
  type ResultRow,
  type Scenario,
  type ScenarioContext,
  skippedRow,
} from '../scenario.js';
import { createWarehouses, setStockLevels, skuName } from '../seeding.js';
import { openStore, type StoreHandle, type StoreKind } from '../stores.js';
import { ratioOf } from './library-variants.js';
import { openVariants } from './open-variants.js';

/** Callers of the shape (Medusa's inventory module was measured with 32). */
const CALLERS = 32;
const UNITS_PER_ROW = 100;
/**
 * Medusa's inventory module (`adjustInventory`, one call per inventory level, 32 callers, 10,000
 * cold levels) on this machine's PostgreSQL, as issue #19 reports it. Measured separately: it
 * does not run in `npm run bench`.
 */
export const MEDUSA_ADJUSTMENTS_PER_SECOND = 359;
/** The target: 5× Medusa. */
const TARGET_RATIO = 5;

interface Variant {
  readonly label: string;
  readonly kind: StoreKind;
}

interface Running {
  readonly variant: Variant;
  readonly handle: StoreHandle;
  readonly stockroom: Stockroom;
  readonly warehouseId: string;
  /** Units restocked per row index. */
  readonly restocked: Uint32Array;
  readonly latencies: LatencyRecorder;
  readonly rates: number[];
  readonly outcomes: Record<string, number>;
  readonly statsAtStart: { readonly retries: number; readonly conflicts: number };
  requests: number;
  firstError: unknown;
}

/**
 * Scenario 11: single adjustments. 32 callers each send one `adjustments.adjust` (RESTOCK 1) at
 * a time; each round walks the rows in a random order, one call per row, so every call lands on
 * a row no other call of the round touches (cold rows: what batching cannot merge).
 */
export const singleAdjustScenario: Scenario = {
  id: 'adjust',
  number: 11,
  title: 'Single adjustments: one adjust call per cold row from 32 callers',
  async run(context) {
    const { options } = context;
    const variants: Variant[] = [
      { label: 'postgres · adjust (restock 1)', kind: 'postgres' },
      { label: 'sqlite · adjust (restock 1)', kind: 'sqlite' },
      { label: 'memory · adjust (restock 1)', kind: 'memory' },
    ];
    const running: Running[] = [];
    const rows: ResultRow[] = [];
    const skipped = new Map<string, string>();
    try {
      await openVariants(context, 'adjust', variants, openVariant, running, skipped);
      for (let round = 1; round <= options.rounds; round += 1) {
        for (const entry of running) {
          const order = shuffled(options.adjustRows, seededRandom(round * 104_729 + 17));
          let next = 0;
          const result = await runClosedLoop<'adjusted'>(
            {
              concurrency: CALLERS,
              durationMs: options.durationMs,
              maxRequests: options.adjustRows,
            },
            async () => {
              const index = order[next++]!;
              await entry.stockroom.adjustments.adjust({
                sku: skuName('ADJ', index),
                warehouseId: entry.warehouseId,
                type: 'RESTOCK',
                quantity: 1,
              });
              entry.restocked[index] = (entry.restocked[index] ?? 0) + 1;
              return 'adjusted';
            },
          );
          entry.latencies.merge(result.latencies);
          for (const [key, value] of Object.entries(result.outcomes))
            entry.outcomes[key] = (entry.outcomes[key] ?? 0) + (value ?? 0);
          entry.requests += result.requests;
          entry.firstError ??= result.firstError;
          const rate = ((result.outcomes.adjusted ?? 0) * 1000) / result.elapsedMs;
          entry.rates.push(rate);
          context.log(
            `adjust · ${entry.variant.label} · round ${round}/${options.rounds}: ${rate.toFixed(0)} calls/s`,
          );
        }
      }
      for (const entry of running) rows.push(await finish(context, entry));
    } finally {
      for (const entry of running) await entry.handle.dispose().catch(() => undefined);
    }
    const ordered = variants.map(
      (variant) =>
        rows.find((row) => row.variant === variant.label) ??
        skippedRow(variant.label, skipped.get(variant.label) ?? 'not run'),
    );
    const ratios: Ratio[] = ordered
      .filter((row) => row.skipped === undefined)
      .map((row) => ({
        label: `${row.variant.split(' · ')[0]} ÷ Medusa adjustInventory ${MEDUSA_ADJUSTMENTS_PER_SECOND}/s (measured separately; target ≥ ${TARGET_RATIO})`,
        value: ratioOf(row.opsPerSecond, MEDUSA_ADJUSTMENTS_PER_SECOND),
      }));
    return {
      rows: ordered,
      ratios,
      notes: [
        `${options.adjustRows.toLocaleString('en-US')} rows (one SKU each, one warehouse, ${UNITS_PER_ROW} units); ${CALLERS} callers, each sending one \`adjustments.adjust({ type: 'RESTOCK', quantity: 1 })\` at a time; a round walks the rows in a random order, at most one call per row, until its duration or the rows run out.`,
        `ops/s counts adjust calls answered. The Medusa figure (${MEDUSA_ADJUSTMENTS_PER_SECOND}/s: Medusa's inventory module, \`adjustInventory\` on the same shape on this machine's PostgreSQL) comes from issue #19, measured separately; it is a constant here, not a variant of this run.`,
        'Checks: every row holds its seeded units plus the restocks answered for it; ledger replay.',
      ],
    };
  },
};

function shuffled(size: number, random: () => number): Uint32Array {
  const order = new Uint32Array(size);
  for (let index = 0; index < size; index += 1) order[index] = index;
  for (let index = size - 1; index > 0; index -= 1) {
    const other = Math.floor(random() * (index + 1));
    const swap = order[index]!;
    order[index] = order[other]!;
    order[other] = swap;
  }
  return order;
}

async function openVariant(
  context: ScenarioContext,
  variant: Variant,
): Promise<Running | { skipped: string }> {
  const handle = await openStore(variant.kind, context, `adjust_${variant.kind}`);
  if ('skipped' in handle) return handle;
  try {
    const stockroom = createStockroom({ store: handle.store });
    const [warehouseId] = await createWarehouses(stockroom, 1);
    const items = Array.from({ length: context.options.adjustRows }, (_unused, index) => ({
      sku: skuName('ADJ', index),
      warehouseId: warehouseId!,
      quantity: UNITS_PER_ROW,
    }));
    const began = performance.now();
    const seeding = await setStockLevels(stockroom, items);
    context.log(
      `adjust · ${variant.label}: seeded ${items.length.toLocaleString('en-US')} rows with ${seeding} in ${((performance.now() - began) / 1000).toFixed(1)} s`,
    );
    return {
      variant,
      handle,
      stockroom,
      warehouseId: warehouseId!,
      restocked: new Uint32Array(context.options.adjustRows),
      statsAtStart: { retries: stockroom.stats.retries, conflicts: stockroom.stats.conflicts },
      latencies: new LatencyRecorder(),
      rates: [],
      outcomes: {},
      requests: 0,
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
  let mismatched = 0;
  let seen = 0;
  for (const row of stock) {
    const index = Number(row.sku.slice('ADJ-'.length));
    if (!row.sku.startsWith('ADJ-') || !Number.isInteger(index)) continue;
    seen += 1;
    if (row.available !== UNITS_PER_ROW + (entry.restocked[index] ?? 0) || row.reserved !== 0)
      mismatched += 1;
  }
  if (seen !== context.options.adjustRows)
    failures.push(`${seen} row(s) found, ${context.options.adjustRows} seeded`);
  if (mismatched > 0) failures.push(`${mismatched} row(s) disagree with the answered restocks`);
  const problems = await verifyStore(entry.handle.store);
  failures.push(...problems);
  const errors = entry.outcomes.error ?? 0;
  if (errors > 0) failures.push(`${errors} call(s) failed: ${describe(entry.firstError)}`);
  const stats = entry.stockroom.stats;
  const extra: Record<string, string | number> = {};
  if (stats.batches.count > 0)
    extra['avg batch'] = Number((stats.batches.requests / stats.batches.count).toFixed(1));
  context.log(
    `adjust · ${entry.variant.label}: rows ${mismatched === 0 ? 'ok' : 'MISMATCH'}, ledger ${problems.length === 0 ? 'ok' : 'MISMATCH'}`,
  );
  return {
    variant: entry.variant.label,
    opsPerSecond: entry.rates.length > 0 ? median(entry.rates) : null,
    latency: entry.latencies.summary(),
    requests: entry.requests,
    outcomes: { ...entry.outcomes },
    retries: stats.retries - entry.statsAtStart.retries,
    conflicts: stats.conflicts - entry.statsAtStart.conflicts,
    oversold: null,
    ledger: problems.length === 0 ? 'ok' : 'mismatch',
    extra,
    failures,
  };
}
