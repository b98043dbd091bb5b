import {
  type ChangeContext,
  createStockroom,
  isStockroomError,
  optimisticEverywhere,
  type Stockroom,
  type StockroomPolicies,
} from '@stockroom/core';
import { describe, loadPackage } from '../environment.js';
import { verifyStore } from '../ledger-check.js';
import { LatencyRecorder, runClosedLoop } from '../measure.js';
import { randomInt, seededRandom } from '../random.js';
import { type ResultRow, type Scenario, type ScenarioContext, skippedRow } from '../scenario.js';
import { openStore, type StoreHandle, type StoreKind } from '../stores.js';
import { ratioOf } from './library-variants.js';

const WAREHOUSES = ['paris', 'london', 'berlin'] as const;
const UNITS = 1_000_000;
const OPERATIONS = ['reserve', 'commit', 'release', 'extend', 'adjust', 'transfer'] as const;
type Operation = (typeof OPERATIONS)[number];
type Outcome = 'ok' | 'refused' | 'conflict' | 'unavailable' | 'error';

/** The old behaviour: no row locks, at most 8 attempts (what the library did before). */
const LEGACY: StockroomPolicies = {
  locking: optimisticEverywhere,
  writeLanes: false,
  retry: { maxAttempts: 8, baseDelayMs: 5, maxDelayMs: 200, deadlineMs: 5000 },
};

interface MixedVariant {
  readonly label: string;
  readonly kind: StoreKind;
  /** Stockroom instances sharing the store (2: two instances of the host app, own pools). */
  readonly instances: number;
  readonly policies: StockroomPolicies;
  /** Conflicts surfaced are expected (the old behaviour) and do not fail the run. */
  readonly legacy: boolean;
}

const VARIANTS: readonly MixedVariant[] = [
  {
    label: 'postgres · locked (default)',
    kind: 'postgres',
    instances: 1,
    policies: {},
    legacy: false,
  },
  { label: 'postgres · 2 instances', kind: 'postgres', instances: 2, policies: {}, legacy: false },
  {
    label: 'postgres · old behaviour',
    kind: 'postgres',
    instances: 1,
    policies: LEGACY,
    legacy: true,
  },
  { label: 'sqlite', kind: 'sqlite', instances: 1, policies: {}, legacy: false },
  { label: 'memory', kind: 'memory', instances: 1, policies: {}, legacy: false },
];

function skuCount(context: ScenarioContext): number {
  return context.options.quick ? 30 : 100;
}

/** 10 % of the SKUs take 60 % of the traffic. */
function pickSku(random: () => number, skus: number): string {
  const hot = Math.max(1, Math.floor(skus / 10));
  const index = random() < 0.6 ? randomInt(random, 0, hot - 1) : randomInt(random, hot, skus - 1);
  return `MIX-${String(index).padStart(3, '0')}`;
}

function outcomeOf(error: unknown): Outcome {
  if (!isStockroomError(error)) return 'error';
  if (error.code === 'VERSION_CONFLICT') return 'conflict';
  if (error.code === 'STORE_UNAVAILABLE') return 'unavailable';
  if (error.code === 'INSUFFICIENT_STOCK' || error.code === 'INVALID_STATE') return 'refused';
  return 'error';
}

interface Run {
  readonly row: ResultRow;
  readonly opsPerSecond: number | null;
  readonly reserveP99: number | null;
}

async function openHandles(
  context: ScenarioContext,
  variant: MixedVariant,
): Promise<StoreHandle[] | { skipped: string }> {
  const first = await openStore(variant.kind, context, `mixed_${variant.kind}`);
  if ('skipped' in first) return first;
  const handles = [first];
  if (variant.instances > 1 && 'schema' in first.store) {
    // A second pool on the same schema: another instance of the host app.
    const loaded = await loadPackage<{
      createPostgresStockStore(options: {
        connectionString: string;
        schema: string;
        poolSize: number;
      }): StoreHandle['store'];
    }>('@stockroom/adapter-postgres');
    if ('missing' in loaded) {
      await first.dispose();
      return { skipped: loaded.missing };
    }
    const { createPostgresStockStore } = loaded.module;
    const store = createPostgresStockStore({
      connectionString: context.options.databaseUrl,
      schema: String((first.store as { schema: string }).schema),
      poolSize: context.options.poolSize,
    });
    handles.push({ kind: 'postgres', store, dispose: () => store.close() });
  }
  return handles;
}

async function runVariant(context: ScenarioContext, variant: MixedVariant): Promise<Run> {
  const opened = await openHandles(context, variant);
  if ('skipped' in opened) {
    return { row: skippedRow(variant.label, opened.skipped), opsPerSecond: null, reserveP99: null };
  }
  const { options } = context;
  const skus = skuCount(context);
  try {
    const instances: Stockroom[] = opened.map((handle) =>
      createStockroom({ store: handle.store, policies: variant.policies }),
    );
    const setup = instances[0]!;
    for (const [index, id] of WAREHOUSES.entries()) {
      await setup.warehouses.create({ id, name: id, priority: index + 1 });
    }
    await setup.adjustments.bulkUpdate({
      mode: 'set',
      items: Array.from(
        { length: skus },
        (_, index) => `MIX-${String(index).padStart(3, '0')}`,
      ).flatMap((sku) => WAREHOUSES.map((warehouseId) => ({ sku, warehouseId, quantity: UNITS }))),
    });
    const latencies = new Map<Operation, LatencyRecorder>(
      OPERATIONS.map((operation) => [operation, new LatencyRecorder()]),
    );
    const counts = new Map<Operation, number>(OPERATIONS.map((operation) => [operation, 0]));
    const holds: string[][] = Array.from({ length: options.concurrency }, () => []);
    const randoms = Array.from({ length: options.concurrency }, (_, index) =>
      seededRandom(1000 + index),
    );
    let sequence = 0;
    const keyed = (): ChangeContext => {
      sequence += 1;
      return { idempotencyKey: `mix-${sequence}` };
    };
    let firstError: unknown;
    const timed = async (operation: Operation, work: () => Promise<unknown>): Promise<Outcome> => {
      const begin = performance.now();
      try {
        await work();
        return 'ok';
      } catch (error) {
        const outcome = outcomeOf(error);
        if (outcome !== 'refused') firstError ??= error;
        return outcome;
      } finally {
        latencies.get(operation)!.record(performance.now() - begin);
        counts.set(operation, counts.get(operation)! + 1);
      }
    };
    const durationMs = options.durationMs * options.rounds;
    const result = await runClosedLoop<Outcome>(
      { concurrency: options.concurrency, durationMs, maxRequests: options.maxRequestsPerRound },
      async (caller) => {
        const random = randoms[caller]!;
        const stockroom = instances[caller % instances.length]!;
        const mine = holds[caller]!;
        const roll = random();
        if (roll < 0.55 || (roll < 0.95 && mine.length === 0)) {
          const lines = randomInt(random, 1, 3);
          const chosen = new Set<string>();
          while (chosen.size < lines) chosen.add(pickSku(random, skus));
          return timed('reserve', async () => {
            const hold = await stockroom.reservations.reserve(
              { items: [...chosen].map((sku) => ({ sku, quantity: randomInt(random, 1, 2) })) },
              keyed(),
            );
            mine.push(hold.id);
          });
        }
        if (roll < 0.8) {
          const id = mine.shift()!;
          return timed('commit', () => stockroom.reservations.commit(id, keyed()));
        }
        if (roll < 0.9) {
          const id = mine.shift()!;
          return timed('release', () => stockroom.reservations.release(id, keyed()));
        }
        if (roll < 0.95) {
          const id = mine[0]!;
          return timed('extend', () => stockroom.reservations.extend(id, 60, keyed()));
        }
        const sku = pickSku(random, skus);
        const warehouseId = WAREHOUSES[randomInt(random, 0, 2)]!;
        if (roll < 0.99) {
          const kind = random();
          return timed('adjust', () =>
            stockroom.adjustments.adjust(
              kind < 0.6
                ? { sku, warehouseId, type: 'RESTOCK', quantity: randomInt(random, 1, 20) }
                : kind < 0.8
                  ? { sku, warehouseId, type: 'DAMAGE', quantity: 1 }
                  : { sku, warehouseId, type: 'ADJUSTMENT', quantity: randomInt(random, -3, -1) },
              keyed(),
            ),
          );
        }
        const toWarehouseId = WAREHOUSES[(WAREHOUSES.indexOf(warehouseId) + 1) % 3]!;
        return timed('transfer', async () => {
          const transfer = await stockroom.transfers.create(
            { sku, fromWarehouseId: warehouseId, toWarehouseId, quantity: randomInt(random, 1, 5) },
            keyed(),
          );
          await stockroom.transfers.ship(transfer.id, keyed());
          await stockroom.transfers.receive(transfer.id, keyed());
        });
      },
    );
    const failures: string[] = [];
    const surfaced = result.outcomes.conflict ?? 0;
    if (surfaced > 0 && !variant.legacy)
      failures.push(`${surfaced} VERSION_CONFLICT surfaced to callers`);
    const errors =
      (result.outcomes.error ?? 0) + (variant.legacy ? 0 : (result.outcomes.unavailable ?? 0));
    if (errors > 0) failures.push(`${errors} request(s) failed: ${describe(firstError)}`);
    const problems = await verifyStore(opened[0]!.store);
    failures.push(...problems);
    const negative = (await opened[0]!.store.reads.allStock({ limit: 1000 })).items.filter(
      (row) => row.available < 0 || row.reserved < 0 || row.damaged < 0 || row.inTransit < 0,
    );
    if (negative.length > 0) failures.push(`${negative.length} row(s) with a negative quantity`);
    const ok = result.outcomes.ok ?? 0;
    const opsPerSecond = (ok * 1000) / result.elapsedMs;
    const all = new LatencyRecorder();
    const extra: Record<string, string | number> = {};
    for (const operation of OPERATIONS) {
      const recorder = latencies.get(operation)!;
      all.merge(recorder);
      const summary = recorder.summary();
      if (summary) {
        extra[operation] =
          `${counts.get(operation)} · p50 ${summary.p50.toFixed(1)} / p99 ${summary.p99.toFixed(1)} ms`;
      }
    }
    extra['conflicts surfaced'] = surfaced;
    const stats = instances.reduce(
      (sum, instance) => ({
        retries: sum.retries + instance.stats.retries,
        conflicts: sum.conflicts + instance.stats.conflicts,
      }),
      { retries: 0, conflicts: 0 },
    );
    context.log(
      `mixed · ${variant.label}: ${opsPerSecond.toFixed(0)} ops/s, ${surfaced} conflicts surfaced, ${stats.retries} retries, ledger ${problems.length === 0 ? 'ok' : 'MISMATCH'}`,
    );
    return {
      opsPerSecond,
      reserveP99: latencies.get('reserve')!.summary()?.p99 ?? null,
      row: {
        variant: variant.label,
        opsPerSecond,
        latency: all.summary(),
        requests: result.requests,
        outcomes: { ...result.outcomes },
        retries: stats.retries,
        conflicts: stats.conflicts,
        oversold: negative.length,
        ledger: problems.length === 0 ? 'ok' : 'mismatch',
        extra,
        failures,
      },
    };
  } catch (error) {
    return {
      row: skippedRow(variant.label, `failed: ${describe(error)}`),
      opsPerSecond: null,
      reserveP99: null,
    };
  } finally {
    for (const handle of [...opened].reverse()) await handle.dispose().catch(() => undefined);
  }
}

/** Scenario 8: a checkout mix of every command over 100 SKUs × 3 warehouses, hot SKUs included. */
export const mixedScenario: Scenario = {
  id: 'mixed',
  number: 8,
  title: 'Mixed checkout traffic: every command at once, 10 % of the SKUs take 60 % of it',
  async run(context) {
    const runs: Run[] = [];
    for (const variant of VARIANTS) runs.push(await runVariant(context, variant));
    const rate = (label: string) =>
      runs[VARIANTS.findIndex((variant) => variant.label === label)]?.opsPerSecond ?? null;
    const reserveP99 = runs[0]?.reserveP99 ?? null;
    return {
      rows: runs.map((run) => run.row),
      ratios: [
        {
          label: 'postgres: locked (default) ÷ old behaviour (ok ops/s)',
          value: ratioOf(rate('postgres · locked (default)'), rate('postgres · old behaviour')),
        },
      ],
      notes: [
        `PostgreSQL reserve p99 at the default: ${reserveP99 === null ? '–' : `${reserveP99.toFixed(1)} ms`} (target < 100 ms).`,
        `${context.options.concurrency} callers in a closed loop; ${skuCount(context)} SKUs × 3 warehouses, the first 10 % taking 60 % of the picks.`,
        'Mix: 55 % reserve (1–3 lines), 25 % commit, 10 % release, 5 % extend, 4 % restock/damage/correction, 1 % transfer (create, ship, receive: one op). Every command carries an idempotency key.',
        'ops/s counts commands answered without error; per-operation columns give count · p50 / p99.',
        '"old behaviour" is `policies: { locking: optimisticEverywhere, writeLanes: false, retry: { maxAttempts: 8 } }`: no row locks, one transaction per command (reserve requests still batched), a bounded retry count — the library before this change; its conflicts surfaced are the refusals the new default removes.',
        'A variant other than the old behaviour fails the run when a conflict reaches a caller or an invariant breaks.',
      ],
    };
  },
};
