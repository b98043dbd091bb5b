import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Everything `npm run bench` can be told on its command line. */
export interface BenchOptions {
  /** A short smoke run: one short round per variant, smaller data sets. */
  readonly quick: boolean;
  /** Scenario ids or numbers to run; null runs every scenario. */
  readonly scenarios: ReadonlySet<string> | null;
  /** How long one measured round of one variant lasts. */
  readonly durationMs: number;
  /** Rounds per variant; the variants of a scenario alternate round by round. */
  readonly rounds: number;
  /**
   * A round also ends after this many requests (keeps the ledger replay of the in-memory store,
   * whose paged reads sort the whole ledger per page, within a minute).
   */
  readonly maxRequestsPerRound: number;
  /** Concurrent callers of the load generators. */
  readonly concurrency: number;
  /** Connections per Postgres pool (the library's and the raw scenarios' alike). */
  readonly poolSize: number;
  /** Units of the sell-out check each reservation variant runs after its rounds. */
  readonly sellOutUnits: number;
  /** SKUs of the cold-SKU scenario (each in 3 warehouses). */
  readonly coldSkus: number;
  /** Rows of the single-adjustment scenario (one SKU each, one warehouse). */
  readonly adjustRows: number;
  /** SKUs the availability scenario checks (each in 3 warehouses). */
  readonly checkSkus: number;
  /** Rows of the bulk import. */
  readonly bulkRows: number;
  /** Movements of the history scenario's large ledger (generated in SQL). */
  readonly historyMovements: number;
  /** Stock rows the history scenario's movements are spread over. */
  readonly historyRows: number;
  /** New movements each of its reconcile runs checks; null: a tenth of `historyMovements`. */
  readonly historyNew: number | null;
  /** Stores the history scenario runs on. */
  readonly historyStores: readonly ('postgres' | 'sqlite')[];
  /** Rows of the streamed bulk import (an async generator, for memory); 0 skips it (--quick). */
  readonly streamRows: number;
  /** Write results/ files (off with --no-write). */
  readonly write: boolean;
  /** Where results go. */
  readonly resultsDirectory: string;
  readonly databaseUrl: string;
  readonly redisUrl: string;
}

const HELP = `npm run bench -- [options]

  --quick               short smoke run (about a minute): 1 round of 1 s per variant,
                        small data sets; checks correctness, numbers are not comparable
  --scenario=LIST       only these scenarios, by id or number (comma-separated):
                        1 hot-sku, 2 naive, 3 raw, 4 cold-skus, 5 availability,
                        6 bulk-import, 7 http, 8 mixed, 11 adjust
  --duration=SECONDS    length of one measured round (default 10, quick 1)
  --rounds=N            rounds per variant, variants alternating (default 3, quick 1)
  --max-requests=N      a round also ends after N requests (default 40000)
  --concurrency=N       concurrent callers (default 64)
  --pool=N              connections per Postgres pool (default 16)
  --sell-out=N          units of each sell-out check (default 500, quick 80)
  --cold-skus=N         SKUs of scenario 4, 3 warehouses each (default 10000, quick 300)
  --adjust-rows=N       rows of scenario 11 (default 10000, quick 300)
  --check-skus=N        SKUs of scenario 5 (default 1000, quick 100)
  --bulk-rows=N         rows of scenario 6 (default 100000, quick 3000)
  --history-movements=N movements of the history scenario (default 10000000); it runs
                        only when named (--scenario=history) and never with --quick
  --history-rows=N      stock rows they are spread over (default 100000)
  --history-new=N       new movements each reconcile run checks (default a tenth of them)
  --history-stores=LIST postgres,sqlite (default both)
  --stream-rows=N       rows of scenario 6's streamed import (default 1000000, 0 skips
                        it; skipped with --quick unless given)
  --no-write            print only; write nothing to benchmarks/results/

Environment: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test),
REDIS_URL (default redis://127.0.0.1:6379).`;

function positive(name: string, raw: string, integer = true): number {
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new RangeError(`--${name} must be a positive ${integer ? 'integer' : 'number'}`);
  }
  return value;
}

function historyStoresOf(raw: string | undefined): readonly ('postgres' | 'sqlite')[] {
  if (raw === undefined) return ['postgres', 'sqlite'];
  const stores = raw.split(',').map((item) => item.trim());
  for (const store of stores) {
    if (store !== 'postgres' && store !== 'sqlite') {
      throw new RangeError('--history-stores takes postgres and/or sqlite');
    }
  }
  return stores as ('postgres' | 'sqlite')[];
}

/** Parses the command line (`--name=value` or `--name value`); `--help` prints usage and exits. */
export function parseOptions(argv: readonly string[]): BenchOptions {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  const withValue = new Set([
    'scenario',
    'duration',
    'rounds',
    'max-requests',
    'concurrency',
    'pool',
    'sell-out',
    'cold-skus',
    'adjust-rows',
    'check-skus',
    'bulk-rows',
    'history-movements',
    'history-rows',
    'history-new',
    'history-stores',
    'stream-rows',
  ]);
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index]!;
    if (!argument.startsWith('--')) throw new RangeError(`unexpected argument: ${argument}`);
    const [name, inline] = argument.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    if (withValue.has(name)) {
      const value = inline ?? argv[++index];
      if (value === undefined) throw new RangeError(`--${name} needs a value`);
      values.set(name, value);
    } else if (['quick', 'no-write', 'help'].includes(name)) {
      flags.add(name);
    } else {
      throw new RangeError(`unknown option --${name} (see --help)`);
    }
  }
  if (flags.has('help')) {
    process.stdout.write(`${HELP}\n`);
    process.exit(0);
  }
  const quick = flags.has('quick');
  const number = (name: string, fallback: number, integer = true) => {
    const raw = values.get(name);
    return raw === undefined ? fallback : positive(name, raw, integer);
  };
  const scenarioList = values.get('scenario');
  const here = fileURLToPath(new URL('.', import.meta.url));
  return {
    quick,
    scenarios: scenarioList
      ? new Set(scenarioList.split(',').map((item) => item.trim().toLowerCase()))
      : null,
    durationMs: number('duration', quick ? 1 : 10, false) * 1000,
    rounds: number('rounds', quick ? 1 : 3),
    maxRequestsPerRound: number('max-requests', 40_000),
    concurrency: number('concurrency', 64),
    poolSize: number('pool', 16),
    sellOutUnits: number('sell-out', quick ? 80 : 500),
    coldSkus: number('cold-skus', quick ? 300 : 10_000),
    adjustRows: number('adjust-rows', quick ? 300 : 10_000),
    checkSkus: number('check-skus', quick ? 100 : 1000),
    bulkRows: number('bulk-rows', quick ? 3000 : 100_000),
    historyMovements: number('history-movements', 10_000_000),
    historyRows: number('history-rows', 100_000),
    historyNew: values.has('history-new') ? number('history-new', 0) : null,
    historyStores: historyStoresOf(values.get('history-stores')),
    streamRows:
      values.get('stream-rows') === '0'
        ? 0
        : values.has('stream-rows')
          ? number('stream-rows', 0)
          : quick
            ? 0
            : 1_000_000,
    write: !flags.has('no-write'),
    resultsDirectory: resolve(here, '..', 'results'),
    databaseUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  };
}
