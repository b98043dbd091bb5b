import { runHotVariants } from '../hot-sku-workload.js';
import type { Scenario } from '../scenario.js';
import { createRawBatchedTarget, createRawPerTransactionTarget } from '../targets/raw-targets.js';
import { libraryVariant, ratioOf } from './library-variants.js';

const RAW_TX = 'raw pg · one transaction per reservation';
const RAW_BATCH = 'raw pg · batched';
const LIB_TX = 'library · postgres · unbatched';
const LIB_BATCH = 'library · postgres · batched';

/** Scenario 3: the same SQL work straight through pg — the two ceilings for scenario 1. */
export const rawLimitsScenario: Scenario = {
  id: 'raw',
  number: 3,
  title: 'Raw limits: the same SQL work straight through pg, per transaction and batched',
  async run(context) {
    const unavailable = context.environment.postgres.unavailable;
    if (unavailable) return { skipped: unavailable, rows: [], ratios: [], notes: [] };
    const measured = await runHotVariants(context, 'raw', [
      { label: RAW_TX, open: () => createRawPerTransactionTarget(context) },
      libraryVariant(context, LIB_TX, 'postgres', { locking: 'optimistic', batching: false }),
      { label: RAW_BATCH, open: () => createRawBatchedTarget(context) },
      libraryVariant(context, LIB_BATCH, 'postgres', { locking: 'optimistic', batching: true }),
    ]);
    const rate = (label: string) =>
      measured.find((measurement) => measurement.label === label)?.row.opsPerSecond ?? null;
    return {
      rows: measured.map((measurement) => measurement.row),
      ratios: [
        {
          label: 'library unbatched ÷ raw one-transaction-per-reservation',
          value: ratioOf(rate(LIB_TX), rate(RAW_TX)),
        },
        {
          label: 'library batched ÷ raw batched',
          value: ratioOf(rate(LIB_BATCH), rate(RAW_BATCH)),
        },
        {
          label: 'raw batched ÷ raw per transaction',
          value: ratioOf(rate(RAW_BATCH), rate(RAW_TX)),
        },
      ],
      notes: [
        'Raw per transaction: BEGIN; UPDATE stock … WHERE available >= 1 RETURNING; INSERT reservation; INSERT movement; COMMIT (5 round trips, pool of ' +
          `${context.options.poolSize} connections).`,
        'Raw batched: requests queue per SKU lane; one transaction per batch: SELECT … FOR UPDATE, admit in arrival order, one UPDATE, one multi-row INSERT for reservations and one for movements.',
        'The library writes more per reservation than the raw loops: reservation lines, outbox events (reserved + stock updated), low-stock checks.',
      ],
    };
  },
};
