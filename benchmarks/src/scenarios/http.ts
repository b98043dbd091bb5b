import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Stockroom } from '@stockroom/core';
import autocannon, { type Result } from 'autocannon';
import express from 'express';
import { describe, loadPackage } from '../environment.js';
import { verifyStore } from '../ledger-check.js';
import { LatencyRecorder, median, runClosedLoop } from '../measure.js';
import type { Ratio, ResultRow, Scenario, ScenarioContext } from '../scenario.js';
import { reserveOutcomeOf } from '../targets/library-target.js';
import { ratioOf } from './library-variants.js';

/** The parts of the example server the benchmark starts it with (loaded from its sources by tsx). */
interface ConfigModule {
  loadConfig(env: Readonly<Record<string, string | undefined>>): unknown;
}
interface StartServiceModule {
  startService(config: unknown): Promise<{
    readonly url: string;
    readonly stockroom: Stockroom;
    close(): Promise<void>;
  }>;
}

const SERVER = '@stockroom/example-express-server';
const WAREHOUSE = 'wh-http';
const CHECK_SKU = 'HTTP-CHECK';
const HOT_SKU = 'HTTP-HOT';
const HOT_UNITS = 10_000_000;
const SELL_OUT_SKU = 'HTTP-SELL-OUT';

type Kind = 'check' | 'reserve' | 'trivial';

interface Measured {
  readonly label: string;
  readonly kind: Kind;
  readonly via: 'http' | 'direct';
  readonly rates: number[];
  readonly latencies: LatencyRecorder;
  /** autocannon's percentiles per round (it reports p50, p97.5, p99 — no p95). */
  readonly httpPercentiles: { p50: number; p97_5: number; p99: number }[];
  readonly statuses: Record<string, number>;
  requests: number;
  errors: number;
  firstError: unknown;
  /** Reservation batches (store transactions) and the requests they held, over every round. */
  batches: { count: number; requests: number };
}

/**
 * The example server's environment for a benchmark: its default store (SQLite) in `directory`,
 * one admin key, no rate limit, no background jobs, no logs.
 */
export function serverEnvironment(directory: string, apiKey: string): Record<string, string> {
  return {
    PORT: '0',
    HOST: '127.0.0.1',
    STOCKROOM_DATA_DIR: directory,
    DATABASE_URL: `sqlite:${join(directory, 'stock.db')}`,
    STOCKROOM_API_KEYS: `${apiKey}:admin`,
    STOCKROOM_RATE_LIMIT_PER_MINUTE: '0',
    STOCKROOM_JOBS: 'false',
    LOG_LEVEL: 'silent',
  };
}

/** Scenario 7: the example server under autocannon, beside the same service calls without HTTP. */
export const httpScenario: Scenario = {
  id: 'http',
  number: 7,
  title: 'HTTP: the example server under autocannon, and the same calls without HTTP',
  async run(context) {
    // SERVER_SRC: another source folder of the server (a copy of an earlier tree's `src` beside
    // it), for before/after runs of one checkout.
    const configModule = await loadPackage<ConfigModule>(
      `${SERVER}/${process.env.SERVER_SRC ?? 'src'}/config.ts`,
    );
    const startModule = await loadPackage<StartServiceModule>(
      `${SERVER}/${process.env.SERVER_SRC ?? 'src'}/start-service.ts`,
    );
    if ('missing' in configModule) return skipped(configModule.missing);
    if ('missing' in startModule) return skipped(startModule.missing);
    const { options } = context;
    const directory = await mkdtemp(join(tmpdir(), 'stockroom-bench-http-'));
    const apiKey = `bench-${randomBytes(16).toString('hex')}`;
    let service: Awaited<ReturnType<StartServiceModule['startService']>> | undefined;
    let trivialServer: Server | undefined;
    try {
      const config = configModule.module.loadConfig(serverEnvironment(directory, apiKey));
      service = await startModule.module.startService(config);
      const { stockroom, url } = service;
      await stockroom.warehouses.create({ id: WAREHOUSE, name: 'HTTP benchmark' });
      for (const [sku, quantity] of [
        [CHECK_SKU, 1000],
        [HOT_SKU, HOT_UNITS],
      ] as const) {
        await stockroom.adjustments.adjust({
          sku,
          warehouseId: WAREHOUSE,
          type: 'RESTOCK',
          quantity,
        });
      }
      // The ceiling: a bare Express 5 app answering a constant JSON body, in this process too.
      const trivialApp = express();
      trivialApp.disable('x-powered-by');
      trivialApp.set('etag', false);
      trivialApp.get('/trivial', (_request, response) => {
        response.json({ status: 'ok' });
      });
      trivialServer = await new Promise<Server>((resolve) => {
        const server = trivialApp.listen(0, '127.0.0.1', () => resolve(server));
      });
      const trivialUrl = `http://127.0.0.1:${(trivialServer.address() as AddressInfo).port}/trivial`;
      const headers = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
      const checkUrl = `${url}/api/v1/inventory/check?sku=${CHECK_SKU}&quantity=1`;
      const reserveUrl = `${url}/api/v1/reservations`;
      const reserveBody = JSON.stringify({ items: [{ sku: HOT_SKU, quantity: 1 }] });
      const variants: Measured[] = [
        measured('GET /inventory/check over HTTP', 'check', 'http'),
        measured('GET trivial JSON, bare Express 5 (ceiling)', 'trivial', 'http'),
        measured('availability.check() without HTTP', 'check', 'direct'),
        measured('POST /reservations over HTTP', 'reserve', 'http'),
        measured('reservations.reserve() without HTTP', 'reserve', 'direct'),
      ];
      for (let round = 1; round <= options.rounds; round += 1) {
        for (const variant of variants) {
          let rate: number;
          const batchesBefore = { ...stockroom.stats.batches };
          if (variant.via === 'http') {
            const result = await autocannon({
              url:
                variant.kind === 'check'
                  ? checkUrl
                  : variant.kind === 'trivial'
                    ? trivialUrl
                    : reserveUrl,
              method: variant.kind === 'reserve' ? 'POST' : 'GET',
              headers,
              ...(variant.kind === 'reserve' ? { body: reserveBody } : {}),
              connections: options.concurrency,
              duration: Math.max(1, Math.round(options.durationMs / 1000)),
              workers: 1,
            });
            rate = recordHttp(variant, result, variant.kind === 'reserve' ? 201 : 200);
          } else {
            const result = await runClosedLoop(
              { concurrency: options.concurrency, durationMs: options.durationMs },
              async () => {
                if (variant.kind === 'check') {
                  await stockroom.availability.check({ sku: CHECK_SKU, quantity: 1 });
                  return 'ok';
                }
                try {
                  await stockroom.reservations.reserve({ items: [{ sku: HOT_SKU, quantity: 1 }] });
                  return 'ok';
                } catch (error) {
                  return reserveOutcomeOf(error);
                }
              },
            );
            variant.latencies.merge(result.latencies);
            variant.requests += result.requests;
            variant.errors += result.outcomes.error ?? 0;
            for (const outcome of ['refused', 'conflict'] as const) {
              const count = result.outcomes[outcome] ?? 0;
              if (count > 0) variant.statuses[outcome] = (variant.statuses[outcome] ?? 0) + count;
            }
            variant.firstError ??= result.firstError;
            rate = ((result.outcomes.ok ?? 0) * 1000) / result.elapsedMs;
            variant.rates.push(rate);
          }
          variant.batches.count += stockroom.stats.batches.count - batchesBefore.count;
          variant.batches.requests += stockroom.stats.batches.requests - batchesBefore.requests;
          context.log(
            `http · ${variant.label} · round ${round}/${options.rounds}: ${rate.toFixed(0)} ops/s`,
          );
        }
      }
      const checks = await checkCorrectness(context, stockroom, reserveUrl, headers);
      const rows = variants.map((variant) => toRow(variant, checks));
      const rate = (label: string) => variants.find((variant) => variant.label === label)!;
      const rates = (label: string) => median(rate(label).rates);
      const ratios: Ratio[] = [
        {
          label: 'check: HTTP ÷ direct (throughput)',
          value: ratioOf(rates(variants[0]!.label), rates(variants[2]!.label)),
        },
        {
          label: 'check over HTTP ÷ bare Express trivial JSON (target ≥ 0.6)',
          value: ratioOf(rates(variants[0]!.label), rates(variants[1]!.label)),
        },
        {
          label: 'reserve: HTTP ÷ direct (throughput, target ≥ 0.5)',
          value: ratioOf(rates(variants[3]!.label), rates(variants[4]!.label)),
        },
      ];
      return {
        rows,
        ratios,
        notes: [
          `The example server (startService) on SQLite in a temporary directory, no Redis, rate limiting and jobs off, LOG_LEVEL=silent; autocannon runs ${options.concurrency} keep-alive connections from a worker thread in this process (the server gets the main thread).`,
          'The ceiling row is a bare Express 5 app in the same process answering `{"status":"ok"}` on one route (no auth, logging, validation or store): what Express and HTTP cost alone on this machine.',
          'The "without HTTP" rows call the same stockroom the server uses, from the same number of concurrent callers: the difference is the cost of HTTP, Express, auth, validation and JSON.',
          'avg batch: reservation requests per store transaction in the reserve rows (64 callers: at most 64).',
          'autocannon reports p50, p97.5 and p99 (no p95): the p95 column is empty for the HTTP rows and p97.5 is in the notes.',
          `Correctness: the reserve rows are checked on the server's store (reserved units = admitted reservations, ledger replay), plus an HTTP sell-out: ${checks.sellOut}.`,
        ],
      };
    } finally {
      await new Promise((resolve) =>
        trivialServer ? trivialServer.close(resolve) : resolve(null),
      );
      await service?.close().catch(() => undefined);
      await rm(directory, { recursive: true, force: true });
    }
  },
};

function skipped(reason: string) {
  return { skipped: reason, rows: [], ratios: [], notes: [] };
}

function measured(label: string, kind: Kind, via: 'http' | 'direct'): Measured {
  return {
    label,
    kind,
    via,
    rates: [],
    latencies: new LatencyRecorder(),
    httpPercentiles: [],
    statuses: {},
    requests: 0,
    errors: 0,
    firstError: undefined,
    batches: { count: 0, requests: 0 },
  };
}

function statusCount(result: Result, status: number): number {
  return Number(result.statusCodeStats[String(status)]?.count ?? 0);
}

function recordHttp(variant: Measured, result: Result, okStatus: number): number {
  const ok = statusCount(result, okStatus);
  for (const [status, stats] of Object.entries(result.statusCodeStats))
    variant.statuses[status] = (variant.statuses[status] ?? 0) + Number(stats.count);
  variant.requests += result.requests.total;
  variant.errors += result.errors + (result.requests.total - ok - result.errors);
  variant.httpPercentiles.push({
    p50: result.latency.p50,
    p97_5: result.latency.p97_5,
    p99: result.latency.p99,
  });
  const rate = ok / result.duration;
  variant.rates.push(rate);
  return rate;
}

interface Checks {
  readonly oversold: number;
  readonly failures: readonly string[];
  readonly ledgerOk: boolean;
  readonly sellOut: string;
}

async function checkCorrectness(
  context: ScenarioContext,
  stockroom: Stockroom,
  reserveUrl: string,
  headers: Readonly<Record<string, string>>,
): Promise<Checks> {
  const failures: string[] = [];
  // autocannon drops connections at the deadline; let the server finish what it had accepted.
  let admitted = -1;
  while (admitted !== stockroom.stats.reservations.admitted) {
    admitted = stockroom.stats.reservations.admitted;
    await sleep(200);
  }
  const hot = await stockroom.availability.get(HOT_SKU);
  if (hot.reserved !== admitted || hot.available !== HOT_UNITS - admitted) {
    failures.push(
      `${admitted} reservations admitted but the row holds available ${hot.available}, reserved ${hot.reserved}`,
    );
  }
  const units = context.options.sellOutUnits;
  await stockroom.adjustments.adjust({
    sku: SELL_OUT_SKU,
    warehouseId: WAREHOUSE,
    type: 'RESTOCK',
    quantity: units,
  });
  const sellOut = await autocannon({
    url: reserveUrl,
    method: 'POST',
    headers,
    body: JSON.stringify({ items: [{ sku: SELL_OUT_SKU, quantity: 1 }] }),
    connections: Math.min(context.options.concurrency, units),
    amount: units * 2,
    workers: 1,
    timeout: 60,
  });
  const created = statusCount(sellOut, 201);
  const refused = statusCount(sellOut, 409);
  const row = await stockroom.availability.get(SELL_OUT_SKU);
  const oversold = Math.max(0, created - units, row.reserved - units);
  if (created !== units || refused !== units) {
    failures.push(`HTTP sell-out: ${created} × 201 and ${refused} × 409 for ${units} units`);
  }
  if (row.reserved !== created) {
    failures.push(`HTTP sell-out: ${created} × 201 but ${row.reserved} units reserved`);
  }
  if (oversold > 0) failures.push(`${oversold} unit(s) oversold`);
  let ledgerOk = true;
  try {
    const problems = await verifyStore(stockroom.store);
    failures.push(...problems);
    ledgerOk = problems.length === 0;
  } catch (error) {
    failures.push(`ledger check failed: ${describe(error)}`);
    ledgerOk = false;
  }
  context.log(
    `http: sell-out ${created}/${units}, oversold ${oversold}, ledger ${ledgerOk ? 'ok' : 'MISMATCH'}`,
  );
  return {
    oversold,
    failures,
    ledgerOk,
    sellOut: `${created} × 201 and ${refused} × 409 for ${units} units and ${units * 2} requests`,
  };
}

function toRow(variant: Measured, checks: Checks): ResultRow {
  const reserve = variant.kind === 'reserve';
  const extra: Record<string, string | number> = {};
  let latency = variant.latencies.summary();
  if (variant.via === 'http') {
    const p = (key: 'p50' | 'p97_5' | 'p99') =>
      median(variant.httpPercentiles.map((round) => round[key]));
    latency =
      variant.httpPercentiles.length > 0
        ? {
            count: variant.requests,
            p50: p('p50'),
            p95: Number.NaN,
            p99: p('p99'),
            max: Number.NaN,
          }
        : null;
    if (variant.httpPercentiles.length > 0) extra['p97.5 ms'] = p('p97_5');
  }
  if (reserve && variant.batches.count > 0) {
    extra['avg batch'] = Number((variant.batches.requests / variant.batches.count).toFixed(1));
  }
  if (Object.keys(variant.statuses).length > 0) {
    extra[variant.via === 'http' ? 'statuses' : 'outcomes'] = Object.entries(variant.statuses)
      .map(([status, count]) => `${status}×${count}`)
      .join(' ');
  }
  const failures: string[] = [];
  if (variant.errors > 0) {
    failures.push(
      `${variant.errors} request(s) failed${variant.firstError ? `: ${describe(variant.firstError)}` : ''}`,
    );
  }
  if (reserve && variant.via === 'http') failures.push(...checks.failures);
  return {
    variant: variant.label,
    opsPerSecond: variant.rates.length > 0 ? median(variant.rates) : null,
    latency,
    requests: variant.requests,
    outcomes: {},
    retries: null,
    conflicts: null,
    oversold: reserve ? checks.oversold : null,
    ledger: reserve ? (checks.ledgerOk ? 'ok' : 'mismatch') : 'n/a',
    extra,
    failures,
  };
}
