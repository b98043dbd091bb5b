import { setTimeout as sleep } from 'node:timers/promises';
import {
  type AvailabilityCache,
  createStockroom,
  type InventoryStock,
  MemoryAvailabilityCache,
  type Stockroom,
} from '@stockroom/core';
import { readAll } from '@stockroom/core/testing';
import { describe } from '../environment.js';
import { verifyStore } from '../ledger-check.js';
import { LatencyRecorder, median, runClosedLoop } from '../measure.js';
import { randomInt, seededRandom } from '../random.js';
import { openRedis, type RedisHandle } from '../redis-support.js';
import { type ResultRow, type Scenario, type ScenarioContext, skippedRow } from '../scenario.js';
import { createWarehouses, setStockLevels, skuName } from '../seeding.js';
import { openStore, type StoreHandle } from '../stores.js';
import { reserveOutcomeOf } from '../targets/library-target.js';
import {
  HOT_SKU,
  HOT_UNITS,
  HOT_WRITES_PER_SECOND,
  type HotCounters,
  measureHotRound,
  recordRound,
} from './availability-hot-round.js';
import { ratioOf } from './library-variants.js';
import { openVariants } from './open-variants.js';

const UNITS_PER_ROW = 1000;
const WAREHOUSES = 3;
/** The background writer reserves about this many times a second, invalidating cache entries. */
const WRITES_PER_SECOND = 50;

type CacheKind = 'none' | 'redis' | 'memory';

interface Variant {
  readonly label: string;
  readonly cache: CacheKind;
  /** The hot-SKU variant: every checker on one SKU while a writer reserves it 200 times a second. */
  readonly hot?: boolean;
  /** The store's LISTEN/NOTIFY change feed on (what several instances without Redis run). */
  readonly changeFeed?: boolean;
}

/** A variant while it runs: its stockroom and what its rounds counted. */
export interface Running {
  readonly variant: Variant;
  readonly handle: StoreHandle;
  readonly redis: RedisHandle | undefined;
  readonly stockroom: Stockroom;
  readonly latencies: LatencyRecorder;
  readonly rates: number[];
  readonly admittedUnits: Map<string, number>;
  hits: number;
  misses: number;
  errors: number;
  requests: number;
  writes: number;
  firstError: unknown;
  readonly hotCounters: HotCounters;
}

const NO_CACHE = 'postgres · no cache';
const REDIS = 'postgres · Redis cache';
const MEMORY = 'postgres · in-process cache';
const HOT_REDIS = 'postgres · Redis cache · hot SKU';
const HOT_MEMORY = 'postgres · in-process cache · hot SKU';
const HOT_MEMORY_FEED = 'postgres · in-process cache + change feed · hot SKU';

/** Scenario 5: `availability.check` latency with and without a cache, and the hit ratio. */
export const availabilityScenario: Scenario = {
  id: 'availability',
  number: 5,
  title: 'Availability check: latency with and without the Redis cache, hit ratio',
  async run(context) {
    const unavailable = context.environment.postgres.unavailable;
    if (unavailable) return { skipped: unavailable, rows: [], ratios: [], notes: [] };
    const { options } = context;
    const variants: Variant[] = [
      { label: NO_CACHE, cache: 'none' },
      { label: REDIS, cache: 'redis' },
      { label: MEMORY, cache: 'memory' },
      { label: HOT_REDIS, cache: 'redis', hot: true },
      { label: HOT_MEMORY, cache: 'memory', hot: true },
      { label: HOT_MEMORY_FEED, cache: 'memory', hot: true, changeFeed: true },
    ];
    const running: Running[] = [];
    const rows: ResultRow[] = [];
    const skipped = new Map<string, string>();
    try {
      await openVariants(context, 'availability', variants, openVariant, running, skipped);
      for (let round = 1; round <= options.rounds; round += 1) {
        for (const entry of running) {
          const rate = await measureRound(context, entry, round);
          context.log(
            `availability · ${entry.variant.label} · round ${round}/${options.rounds}: ${rate.toFixed(0)} checks/s`,
          );
        }
      }
      for (const entry of running) rows.push(await finish(context, entry));
    } finally {
      for (const entry of running) {
        await entry.handle.dispose().catch(() => undefined);
        await entry.redis?.dispose().catch(() => undefined);
      }
    }
    const ordered = variants.map(
      (variant) =>
        rows.find((row) => row.variant === variant.label) ??
        skippedRow(variant.label, skipped.get(variant.label) ?? 'not run'),
    );
    const p = (label: string, key: 'p50' | 'p99') =>
      ordered.find((row) => row.variant === label)?.latency?.[key] ?? null;
    return {
      rows: ordered,
      ratios: [
        {
          label: 'p50 without cache ÷ p50 with Redis',
          value: ratioOf(p(NO_CACHE, 'p50'), p(REDIS, 'p50')),
        },
        {
          label: 'p99 without cache ÷ p99 with Redis',
          value: ratioOf(p(NO_CACHE, 'p99'), p(REDIS, 'p99')),
        },
      ],
      notes: [
        `Hot SKU: ${options.concurrency} callers check one SKU while a writer reserves one unit of it every ${1000 / HOT_WRITES_PER_SECOND} ms (${HOT_WRITES_PER_SECOND}/s), each write putting its committed value in the cache (write-through at commit). "hit ratio" counts answers from the cache; "no store read" adds checks that shared a store read already in flight for the SKU (begun after the last invalidation). "older answers" counts checks whose answer (available units and row version) was older than the last reservation committed before the check started; it must be 0.`,
        `${options.concurrency} callers check a uniformly random SKU of ${options.checkSkus.toLocaleString('en-US')} (× ${WAREHOUSES} warehouses) while one writer reserves a random SKU about ${WRITES_PER_SECOND} times a second, updating its cache entry.`,
        "The hit ratio is the stockroom's own counter (`stats.cache`); the in-process cache (MemoryAvailabilityCache) is shown for scale.",
      ],
    };
  },
};

async function openVariant(
  context: ScenarioContext,
  variant: Variant,
): Promise<Running | { skipped: string }> {
  let redis: RedisHandle | undefined;
  let cache: AvailabilityCache | undefined;
  if (variant.cache === 'redis') {
    const opened = await openRedis(context);
    if ('skipped' in opened) return opened;
    redis = opened;
    cache = opened.cache;
  } else if (variant.cache === 'memory') {
    cache = new MemoryAvailabilityCache();
  }
  const handle = await openStore(
    'postgres',
    context,
    `check_${variant.cache}${variant.hot ? '_hot' : ''}${variant.changeFeed ? '_feed' : ''}`,
    { changeFeed: variant.changeFeed ?? false },
  );
  if ('skipped' in handle) {
    await redis?.dispose();
    return handle;
  }
  try {
    const stockroom = createStockroom({ store: handle.store, ...(cache ? { cache } : {}) });
    const warehouses = await createWarehouses(stockroom, variant.hot ? 1 : WAREHOUSES);
    const items = [];
    if (variant.hot) {
      items.push({ sku: HOT_SKU, warehouseId: warehouses[0]!, quantity: HOT_UNITS });
    } else {
      for (let index = 0; index < context.options.checkSkus; index += 1) {
        for (const warehouseId of warehouses)
          items.push({ sku: skuName('CHECK', index), warehouseId, quantity: UNITS_PER_ROW });
      }
    }
    await setStockLevels(stockroom, items);
    return {
      variant,
      handle,
      redis,
      stockroom,
      latencies: new LatencyRecorder(),
      rates: [],
      admittedUnits: new Map(),
      hits: 0,
      misses: 0,
      errors: 0,
      requests: 0,
      writes: 0,
      firstError: undefined,
      hotCounters: { committed: 0, older: 0, example: undefined, coalesced: 0 },
    };
  } catch (error) {
    await handle.dispose().catch(() => undefined);
    await redis?.dispose().catch(() => undefined);
    throw error;
  }
}

async function measureRound(
  context: ScenarioContext,
  entry: Running,
  round: number,
): Promise<number> {
  if (entry.variant.hot) return measureHotRound(context, entry);
  const { options } = context;
  const random = seededRandom(round * 104_729);
  const writerRandom = seededRandom(round * 15_485_863);
  const before = { ...entry.stockroom.stats.cache };
  let writing = true;
  const writer = (async () => {
    while (writing) {
      const sku = skuName('CHECK', randomInt(writerRandom, 0, options.checkSkus - 1));
      try {
        await entry.stockroom.reservations.reserve({ items: [{ sku, quantity: 1 }] });
        entry.admittedUnits.set(sku, (entry.admittedUnits.get(sku) ?? 0) + 1);
      } catch (error) {
        reserveOutcomeOf(error);
      }
      entry.writes += 1;
      await sleep(1000 / WRITES_PER_SECOND);
    }
  })();
  const result = await runClosedLoop<'checked'>(
    {
      concurrency: options.concurrency,
      durationMs: options.durationMs,
      maxRequests: options.maxRequestsPerRound,
    },
    async () => {
      const sku = skuName('CHECK', randomInt(random, 0, options.checkSkus - 1));
      await entry.stockroom.availability.check({ sku, quantity: 1 });
      return 'checked';
    },
  );
  writing = false;
  await writer;
  return recordRound(entry, before, entry.stockroom.stats.cache, result);
}

async function finish(context: ScenarioContext, entry: Running): Promise<ResultRow> {
  const failures: string[] = [];
  const stock = await readAll<InventoryStock>((page) => entry.handle.store.reads.allStock(page));
  let oversold = 0;
  let mismatched = 0;
  const bySku = new Map<string, number>();
  for (const row of stock) bySku.set(row.sku, (bySku.get(row.sku) ?? 0) + row.reserved);
  for (const [sku, reserved] of bySku) {
    const admitted = entry.admittedUnits.get(sku) ?? 0;
    oversold += Math.max(
      0,
      reserved - (entry.variant.hot ? HOT_UNITS : UNITS_PER_ROW * WAREHOUSES),
    );
    if (reserved !== admitted) mismatched += 1;
  }
  if (mismatched > 0)
    failures.push(`${mismatched} SKU(s) whose reserved units disagree with the writer`);
  if (oversold > 0) failures.push(`${oversold} unit(s) oversold`);
  const problems = await verifyStore(entry.handle.store);
  failures.push(...problems);
  if (entry.firstError) failures.push(`checks failed: ${describe(entry.firstError)}`);
  const hot = entry.variant.hot ? entry.hotCounters : undefined;
  const lookups = entry.hits + entry.misses + (hot?.coalesced ?? 0);
  const extra: Record<string, string | number> = { writes: entry.writes };
  const percent = (part: number) => (lookups > 0 ? `${((part / lookups) * 100).toFixed(1)}%` : '–');
  if (entry.variant.cache !== 'none') {
    extra['hit ratio'] = percent(entry.hits);
    if (hot) extra['no store read'] = percent(entry.hits + hot.coalesced);
    if (entry.errors > 0) extra['cache errors'] = entry.errors;
  }
  if (hot) {
    extra['older answers'] = hot.older;
    if (hot.older > 0)
      failures.push(
        `${hot.older} check(s) answered older than a write committed before they started (${hot.example})`,
      );
  }
  context.log(
    `availability · ${entry.variant.label}: ${extra['hit ratio'] ?? 'no cache'}, ledger ${problems.length === 0 ? 'ok' : 'MISMATCH'}`,
  );
  return {
    variant: entry.variant.label,
    opsPerSecond: entry.rates.length > 0 ? median(entry.rates) : null,
    latency: entry.latencies.summary(),
    requests: entry.requests,
    outcomes: {},
    retries: entry.stockroom.stats.retries,
    conflicts: entry.stockroom.stats.conflicts,
    oversold,
    ledger: problems.length === 0 ? 'ok' : 'mismatch',
    extra,
    failures,
  };
}
