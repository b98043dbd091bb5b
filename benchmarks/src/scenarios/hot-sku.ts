import { runHotVariants } from '../hot-sku-workload.js';
import type { Ratio, Scenario } from '../scenario.js';
import { libraryVariant, ratioOf } from './library-variants.js';

/** Scenario 1: 64 callers reserving 1 unit of one SKU through the library, on every store. */
export const hotSkuScenario: Scenario = {
  id: 'hot-sku',
  number: 1,
  title: 'Hot SKU: concurrent callers reserving 1 unit of one SKU through the library',
  async run(context) {
    const variants = [
      libraryVariant(context, 'postgres · optimistic · batched', 'postgres', {
        locking: 'optimistic',
        batching: true,
      }),
      libraryVariant(context, 'postgres · optimistic · unbatched', 'postgres', {
        locking: 'optimistic',
        batching: false,
      }),
      libraryVariant(context, 'postgres · pessimistic · batched', 'postgres', {
        locking: 'pessimistic',
        batching: true,
      }),
      libraryVariant(context, 'postgres · pessimistic · unbatched', 'postgres', {
        locking: 'pessimistic',
        batching: false,
      }),
      libraryVariant(
        context,
        'postgres · pessimistic · batched · selling rules + channel',
        'postgres',
        {
          locking: 'pessimistic',
          batching: true,
          sellingRules: true,
          channel: true,
        },
      ),
      libraryVariant(context, 'sqlite · batched', 'sqlite', {
        locking: 'optimistic',
        batching: true,
      }),
      libraryVariant(context, 'sqlite · batched · selling rules + channel', 'sqlite', {
        locking: 'optimistic',
        batching: true,
        sellingRules: true,
        channel: true,
      }),
      libraryVariant(context, 'sqlite · unbatched', 'sqlite', {
        locking: 'optimistic',
        batching: false,
      }),
      libraryVariant(context, 'memory · batched', 'memory', {
        locking: 'optimistic',
        batching: true,
      }),
      libraryVariant(context, 'memory · unbatched', 'memory', {
        locking: 'optimistic',
        batching: false,
      }),
    ];
    const measured = await runHotVariants(context, 'hot-sku', variants);
    const rate = (label: string) =>
      measured.find((measurement) => measurement.label === label)?.row.opsPerSecond ?? null;
    const ratios: Ratio[] = [
      [
        'postgres · optimistic',
        'postgres · optimistic · batched',
        'postgres · optimistic · unbatched',
      ],
      [
        'postgres · pessimistic',
        'postgres · pessimistic · batched',
        'postgres · pessimistic · unbatched',
      ],
      ['sqlite', 'sqlite · batched', 'sqlite · unbatched'],
      ['memory', 'memory · batched', 'memory · unbatched'],
    ].map(([store, batched, unbatched]) => ({
      label: `${store}: batched ÷ unbatched`,
      value: ratioOf(rate(batched!), rate(unbatched!)),
    }));
    // The selling rules and a sales channel (issue 16) must cost no store round trip: within
    // noise of the plain variant.
    for (const base of ['postgres · pessimistic · batched', 'sqlite · batched']) {
      ratios.push({
        label: `${base}: with selling rules + channel ÷ without`,
        value: ratioOf(rate(`${base} · selling rules + channel`), rate(base)),
      });
    }
    return {
      rows: measured.map((measurement) => measurement.row),
      ratios,
      notes: [
        `${context.options.concurrency} callers, 1 unit each, one SKU in one warehouse (stock never runs out during the timed rounds).`,
        '"unbatched" is `policies.reservations.maxBatchSize: 1`: one reservation per store transaction.',
        'ops/s counts admitted reservations; each variant then sells out a small stock to the same crowd (sell-out column: admitted/stock).',
        '"selling rules": the SKU has a safety stock (seeded on top of the sellable units) and a per-cart maximum, both read in the reservation batch\'s transaction; "channel": reservations name a sales channel holding the hot warehouse.',
      ],
    };
  },
};
