import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  createStockroom,
  isStockroomError,
  type Movement,
  movementsToNdjson,
} from '@stockroom/core';
import { describe } from '../environment.js';
import type { HistoryLedger } from '../history-ledger.js';
import {
  type Ratio,
  type ResultRow,
  type Scenario,
  type ScenarioContext,
  skippedRow,
  timedRow,
} from '../scenario.js';
import { createWarehouses, setStockLevels, skuName } from '../seeding.js';
import { openStore, type StoreKind } from '../stores.js';
import {
  AS_OF_SAMPLES,
  COLD_SKUS,
  COLD_WAREHOUSES,
  DAY,
  HOT_UNITS,
  openLedger,
  type Plan,
  planOf,
  ratioOf,
  reserveLoad,
  sampleAsOf,
  timedReconcile,
} from './history-steps.js';

const fmt = (value: number) => Math.round(value).toLocaleString('en-US');
const seconds = (ms: number) => Number((ms / 1000).toFixed(2));

/**
 * Scenario 10: the library with a large ledger. Generates the movements with set-based SQL,
 * then measures what history must not slow down: reservations (against the same store before
 * the history existed), reconciliation after new movements (with 10× more older history the
 * second time), stockAsOf, archiving a month, and the bytes a million movements take.
 */
export const historyScenario: Scenario = {
  id: 'history',
  number: 10,
  title: 'History: 10 million movements (set-based SQL), checkpoints, retention',
  async run(context) {
    const { options } = context;
    if (options.quick) return { skipped: 'not part of --quick', rows: [], ratios: [], notes: [] };
    if (!options.scenarios) {
      return {
        skipped: 'runs only when named: npm run bench -- --scenario=history',
        rows: [],
        ratios: [],
        notes: [],
      };
    }
    const plan = planOf(options.historyMovements, options.historyRows, options.historyNew);
    const rows: ResultRow[] = [];
    const ratios: Ratio[] = [];
    const notes: string[] = [];
    for (const kind of options.historyStores) {
      const outcome = await runStore(context, kind, plan).catch((error: unknown) => ({
        skipped: `crashed: ${describe(error)}`,
      }));
      if ('skipped' in outcome) {
        context.log(`history · ${kind}: skipped: ${outcome.skipped}`);
        rows.push(skippedRow(kind, outcome.skipped));
        continue;
      }
      rows.push(...outcome.rows);
      ratios.push(...outcome.ratios);
      notes.push(...outcome.notes);
    }
    const total = (plan.firstOlder + plan.fresh + plan.moreOlder + plan.fresh) * plan.rows;
    notes.unshift(
      `${fmt(plan.rows)} stock rows (SKU HIST-n × 4 warehouses), ${fmt(total)} movements generated in SQL per store: ${fmt(plan.firstOlder * plan.rows)} older + ${fmt(plan.fresh * plan.rows)} new → reconcile (run 1); ${fmt(plan.moreOlder * plan.rows)} more older + ${fmt(plan.fresh * plan.rows)} new → reconcile (run 2, ${fmt((plan.firstOlder + plan.fresh + plan.moreOlder) * plan.rows)} older). The older movements are covered by checkpoints written in SQL (as an earlier reconciliation would have); the new ones are not.`,
      `Reservations: hot = 1 unit of one SKU, cold = orders of 1–3 of ${fmt(COLD_SKUS)} SKUs × ${COLD_WAREHOUSES} warehouses; ${options.concurrency} callers, ${options.durationMs / 1000} s each, on the same store before the history was generated ("empty") and after.`,
    );
    return { rows, ratios, notes };
  },
};

interface StoreOutcome {
  readonly rows: ResultRow[];
  readonly ratios: Ratio[];
  readonly notes: string[];
}

async function runStore(
  context: ScenarioContext,
  kind: StoreKind,
  plan: Plan,
): Promise<StoreOutcome | { skipped: string }> {
  const handle = await openStore(kind, context, `history_${kind}`);
  if ('skipped' in handle) return handle;
  let ledger: HistoryLedger | undefined;
  const directory = await mkdtemp(join(tmpdir(), 'stockroom-history-'));
  try {
    ledger = await openLedger(context, kind, handle, plan);
    const stockroom = createStockroom({ store: handle.store });
    await createWarehouses(stockroom, 4);
    const cold = [];
    for (let index = 0; index < COLD_SKUS; index += 1) {
      for (let warehouse = 1; warehouse <= COLD_WAREHOUSES; warehouse += 1) {
        cold.push({
          sku: skuName('COLD', index),
          warehouseId: `wh-${warehouse}`,
          quantity: 10_000,
        });
      }
    }
    await setStockLevels(stockroom, cold);
    await stockroom.adjustments.adjust({
      sku: 'HOT',
      warehouseId: 'wh-1',
      type: 'RESTOCK',
      quantity: HOT_UNITS,
    });
    const log = (message: string) => context.log(`history · ${kind}: ${message}`);
    const result: StoreOutcome = { rows: [], ratios: [], notes: [] };

    log('reservations on the empty store');
    const emptyHot = await reserveLoad(context, stockroom, 'hot', 1);
    const emptyCold = await reserveLoad(context, stockroom, 'cold', 2);
    // A daily reconciliation has run: the cold and hot rows have their checkpoints too.
    await stockroom.reconciliation.reconcile();

    const generate = async (from: number, through: number) => {
      const began = performance.now();
      await ledger!.generate(from, through, (done) => {
        if (done % 2_000_000 < plan.rows * 11) log(`generated ${fmt(done)} movements`);
      });
      const elapsed = performance.now() - began;
      log(
        `generated versions ${from + 1}–${through}: ${fmt((through - from) * plan.rows)} movements in ${seconds(elapsed)} s`,
      );
      return elapsed;
    };
    const checkpointAt = async (version: number) => {
      await ledger!.checkpoint(version, new Date());
    };

    // Run 1: a small older history, covered by checkpoints, then new movements.
    let version = 0;
    let generationMs = await generate(version, plan.firstOlder);
    version = plan.firstOlder;
    await checkpointAt(version);
    generationMs += await generate(version, version + plan.fresh);
    version += plan.fresh;
    await ledger.analyze();
    const olderFirst = (version - plan.fresh) * plan.rows;
    const first = await timedReconcile(stockroom);
    log(`reconcile run 1: ${seconds(first.ms)} s, replayed ${fmt(first.result.replayed)}`);

    // Run 2: ten times the older history, then the same number of new movements.
    generationMs += await generate(version, version + plan.moreOlder);
    version += plan.moreOlder;
    await checkpointAt(version);
    generationMs += await generate(version, version + plan.fresh);
    version += plan.fresh;
    await ledger.analyze();
    const olderSecond = (version - plan.fresh) * plan.rows;
    const second = await timedReconcile(stockroom);
    log(`reconcile run 2: ${seconds(second.ms)} s, replayed ${fmt(second.result.replayed)}`);
    const idle = await timedReconcile(stockroom);
    log(`reconcile with nothing new: ${seconds(idle.ms)} s`);
    const generated = await ledger.movementCount();

    for (const [label, run, older] of [
      ['run 1', first, olderFirst],
      ['run 2', second, olderSecond],
    ] as const) {
      const failures: string[] = [];
      if (run.result.discrepancies.length > 0)
        failures.push(`${run.result.discrepancies.length} discrepancies`);
      const expected = plan.fresh * plan.rows;
      if (run.result.replayed < expected)
        failures.push(`replayed ${run.result.replayed}, expected at least ${expected}`);
      result.rows.push(
        timedRow(
          `${kind} · reconcile after ${fmt(plan.fresh * plan.rows)} new (${fmt(older)} older), ${label}`,
          run.result.replayed / (run.ms / 1000),
          {
            seconds: seconds(run.ms),
            'rows checked': run.result.checked,
            replayed: run.result.replayed,
            checkpointed: run.result.checkpointed,
            discrepancies: run.result.discrepancies.length,
          },
          { failures },
        ),
      );
    }
    result.rows.push(
      timedRow(
        `${kind} · reconcile with nothing new (${fmt(olderSecond + plan.fresh * plan.rows)} older)`,
        null,
        {
          seconds: seconds(idle.ms),
          'rows checked': idle.result.checked,
          replayed: idle.result.replayed,
        },
      ),
    );
    result.ratios.push({
      label: `${kind}: reconcile time, ${fmt(olderSecond)} vs ${fmt(olderFirst)} older movements (same new ones)`,
      value: second.ms / first.ms,
      note: 'near 1 when the cost does not follow the older history',
    });

    log('reservations with the history');
    const fullHot = await reserveLoad(context, stockroom, 'hot', 3);
    const fullCold = await reserveLoad(context, stockroom, 'cold', 4);
    for (const [label, measured] of [
      ['hot SKU reserve · empty store', emptyHot],
      ['cold reserve · empty store', emptyCold],
      [`hot SKU reserve · ${fmt(generated)} movements`, fullHot],
      [`cold reserve · ${fmt(generated)} movements`, fullCold],
    ] as const) {
      result.rows.push({ ...measured, variant: `${kind} · ${label}` });
    }
    result.ratios.push(
      {
        label: `${kind}: hot-SKU reservations/s, ${fmt(generated)} movements vs empty`,
        value: ratioOf(fullHot, emptyHot),
      },
      {
        label: `${kind}: cold orders/s, ${fmt(generated)} movements vs empty`,
        value: ratioOf(fullCold, emptyCold),
      },
    );

    // stockAsOf: random SKUs and instants over the history.
    const now = Date.now();
    const asOf = await sampleAsOf(stockroom, plan, plan.clock.start, now, 5);
    result.rows.push({
      ...timedRow(`${kind} · stockAsOf, random SKU and instant`, asOf.perSecond, {
        samples: AS_OF_SAMPLES,
      }),
      latency: asOf.latency.summary(),
      requests: AS_OF_SAMPLES,
    });

    const size = await ledger.movementBytes();
    const perMillion = size.bytes / (generated / 1_000_000);
    result.notes.push(
      `${kind}: ${fmt(generated)} movements take ${fmt(size.bytes / 2 ** 20)} MiB (${size.how}): ${fmt(perMillion / 2 ** 20)} MiB per million movements. Generating them in SQL took ${seconds(generationMs)} s (${fmt(generated / (generationMs / 1000))} movements/s).`,
    );

    // Archive the first month to an NDJSON file: a checkpoint inside the month covers it.
    await checkpointAt(plan.monthVersion);
    const before = await ledger.movementCount();
    // The end of the month's last covered version: every movement up to it is older.
    const horizon = new Date(plan.clock.start + (plan.monthVersion + 1) * plan.clock.step);
    const file = join(directory, 'archive.ndjson');
    const out = createWriteStream(file);
    const began = performance.now();
    const archived = await stockroom.history.archive({
      before: horizon,
      batchSize: 5000,
      sink: (batch: readonly Movement[]) =>
        new Promise<void>((resolve, reject) =>
          out.write(movementsToNdjson(batch), (error) => (error ? reject(error) : resolve())),
        ),
    });
    await new Promise<void>((resolve, reject) =>
      out.end((error?: Error | null) => (error ? reject(error) : resolve())),
    );
    const archiveMs = performance.now() - began;
    const fileBytes = (await stat(file)).size;
    const archiveFailures: string[] = [];
    if (archived.removed !== archived.exported)
      archiveFailures.push(`removed ${archived.removed} ≠ exported ${archived.exported}`);
    const expectedArchived = plan.monthVersion * plan.rows;
    if (archived.exported !== expectedArchived)
      archiveFailures.push(`exported ${archived.exported}, expected ${expectedArchived}`);
    const refused = await stockroom.availability
      .stockAsOf('HIST-000000', new Date(horizon.getTime() - DAY))
      .then(
        () => 'answered',
        (error: unknown) => (isStockroomError(error) ? error.code : String(error)),
      );
    if (refused !== 'HISTORY_ARCHIVED')
      archiveFailures.push(`stockAsOf before the horizon: ${refused}`);
    const after = await ledger.movementCount();
    if (after !== before - archived.removed)
      archiveFailures.push(
        `${before} movements before archiving, ${after} after, ${archived.removed} removed`,
      );
    result.rows.push(
      timedRow(
        `${kind} · archive one month (NDJSON file)`,
        archived.exported / (archiveMs / 1000),
        {
          seconds: seconds(archiveMs),
          exported: archived.exported,
          removed: archived.removed,
          'file MiB': Number((fileBytes / 2 ** 20).toFixed(1)),
          'checkpoints pruned': archived.checkpointsPruned,
        },
        { failures: archiveFailures },
      ),
    );
    log(`archived ${fmt(archived.exported)} movements in ${seconds(archiveMs)} s`);
    const asOfAfter = await sampleAsOf(stockroom, plan, horizon.getTime(), now, 6);
    result.rows.push({
      ...timedRow(
        `${kind} · stockAsOf after archiving (instants after the horizon)`,
        asOfAfter.perSecond,
        {
          samples: AS_OF_SAMPLES,
        },
      ),
      latency: asOfAfter.latency.summary(),
      requests: AS_OF_SAMPLES,
    });
    return result;
  } finally {
    await ledger?.close().catch(() => undefined);
    await handle.dispose().catch(() => undefined);
    await rm(directory, { recursive: true, force: true });
  }
}
