import { runHotVariants } from '../hot-sku-workload.js';
import type { Scenario } from '../scenario.js';
import { createNaiveTarget, NAIVE_RETRIES } from '../targets/raw-targets.js';
import { libraryVariant, ratioOf } from './library-variants.js';

const NAIVE = 'naive design (seed document)';
const LIBRARY = 'library · postgres · optimistic · batched';

/** Scenario 2: the seed document's optimistic loop, beside the library, on the same Postgres. */
export const naiveScenario: Scenario = {
  id: 'naive',
  number: 2,
  title: "The naive design: the seed document's version check with 100·2ⁿ ms retries",
  async run(context) {
    const unavailable = context.environment.postgres.unavailable;
    if (unavailable) return { skipped: unavailable, rows: [], ratios: [], notes: [] };
    const measured = await runHotVariants(context, 'naive', [
      { label: NAIVE, open: () => createNaiveTarget(context) },
      libraryVariant(context, LIBRARY, 'postgres', { locking: 'optimistic', batching: true }),
    ]);
    const rate = (label: string) =>
      measured.find((measurement) => measurement.label === label)?.row.opsPerSecond ?? null;
    const naive = measured.find((measurement) => measurement.label === NAIVE)?.row;
    const rows = measured.map((measurement) =>
      measurement.label === NAIVE && !measurement.row.skipped
        ? {
            ...measurement.row,
            extra: {
              ...measurement.row.extra,
              'wrongly refused': measurement.row.outcomes.conflict ?? 0,
            },
          }
        : measurement.row,
    );
    return {
      rows,
      ratios: [{ label: 'library ÷ naive design', value: ratioOf(rate(LIBRARY), rate(NAIVE)) }],
      notes: [
        `The naive design reads available and version, then UPDATE … WHERE version = ? (with its reservation and movement rows in the same transaction); on 0 rows it retries up to ${NAIVE_RETRIES} times after 100·2ⁿ ms, then gives up.`,
        `"wrongly refused" counts requests it gave up on during the timed rounds, where stock never ran out${naive && !naive.skipped ? ` (${naive.outcomes.conflict ?? 0} of ${naive.requests})` : ''}.`,
      ],
    };
  },
};
