import { type HotVariant, runHotVariants } from '../hot-sku-workload.js';
import type { Ratio, Scenario, ScenarioContext } from '../scenario.js';
import { openStore, type StoreKind } from '../stores.js';
import { kitTarget } from '../targets/kit-target.js';
import { createLibraryTarget, type LibraryVariant } from '../targets/library-target.js';
import { libraryVariant, ratioOf } from './library-variants.js';

/** A kit variant: the library on a fresh store of `kind`, reserving a 3-component kit. */
function kitVariant(
  context: ScenarioContext,
  label: string,
  kind: StoreKind,
  variant: LibraryVariant,
): HotVariant {
  return {
    label,
    async open() {
      const handle = await openStore(kind, context, label);
      if ('skipped' in handle) return handle;
      try {
        return kitTarget(await createLibraryTarget(handle, variant));
      } catch (error) {
        await handle.dispose().catch(() => undefined);
        throw error;
      }
    },
  };
}

const STORES: ReadonlyArray<readonly [string, StoreKind, LibraryVariant]> = [
  ['postgres · pessimistic · batched', 'postgres', { locking: 'pessimistic', batching: true }],
  ['sqlite · batched', 'sqlite', { locking: 'optimistic', batching: true }],
  ['memory · batched', 'memory', { locking: 'optimistic', batching: true }],
];

/**
 * Scenario 12: a 3-component kit on a hot SKU, batched, against plain hot-SKU reservations in
 * the same run (issue 17). Each kit reservation holds 4 units on 3 rows; the plain one 1 unit on
 * 1 row.
 */
export const kitsScenario: Scenario = {
  id: 'kits',
  number: 12,
  title: 'Kits: a 3-component kit on a hot SKU against plain hot-SKU reservations (batched)',
  async run(context) {
    const variants = STORES.flatMap(([label, kind, variant]) => [
      libraryVariant(context, `${label} · plain`, kind, variant),
      kitVariant(context, `${label} · kit`, kind, variant),
    ]);
    const measured = await runHotVariants(context, 'kits', variants);
    const rate = (label: string) =>
      measured.find((measurement) => measurement.label === label)?.row.opsPerSecond ?? null;
    const ratios: Ratio[] = STORES.map(([label]) => ({
      label: `${label}: kit ÷ plain`,
      value: ratioOf(rate(`${label} · kit`), rate(`${label} · plain`)),
    }));
    return {
      rows: measured.map((measurement) => measurement.row),
      ratios,
      notes: [
        `${context.options.concurrency} callers in a closed loop; "plain": 1 unit of the hot SKU per reservation; "kit": 1 kit of the hot SKU ×1, a second SKU ×2 and a third ×1 (single-warehouse shipping), all in one warehouse.`,
        'ops/s counts admitted reservations (kits for the kit variants); the sell-out check empties a stock of exactly N kits with the same crowd, and the ledger check replays every component row.',
        'The kit is expanded in the reservation batch (planReservation); its definition comes from the in-process kit list, so it costs no store round trip.',
      ],
    };
  },
};
