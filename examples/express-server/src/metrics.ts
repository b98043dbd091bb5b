import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock, Logger, Stockroom } from '@stockroom/core';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { JobName, JobObserver } from './jobs.js';
import { FINDING_KINDS, type ReconcileReports } from './reconcile-report.js';
import type { ReservationOutcomes } from './routes/reservations.js';

type LocalOutcome = 'committed' | 'released' | 'expired';

/**
 * The server's Prometheus metrics, in a registry of its own (so two servers in one process
 * never share counters). Core counters (`stockroom.stats`, the relay's stats) are read when
 * scraped; the rest is counted here.
 */
export class ServerMetrics implements JobObserver, ReservationOutcomes {
  readonly registry = new Registry();
  private readonly local: Record<LocalOutcome, number> = { committed: 0, released: 0, expired: 0 };
  private readonly requests: Histogram<'method' | 'route' | 'status'>;
  private readonly direct: Counter;
  private readonly jobRuns: Counter<'job' | 'outcome'>;
  private readonly jobProcessed: Counter<'job'>;
  private readonly jobDuration: Histogram<'job'>;

  constructor(
    stockroom: Stockroom,
    clock: Clock,
    logger: Logger,
    options: {
      defaultMetrics?: boolean;
      /** The reconciliation reports the `stockroom_reconcile_*` gauges show. */
      reconcileReports?: ReconcileReports;
      /** The PostgreSQL store's replica routing counters, when it has a replica. */
      replica?: () =>
        | {
            readonly replicaReads: number;
            readonly primaryReads: number;
            readonly lagBytes: number;
          }
        | undefined;
    } = {},
  ) {
    const registers = [this.registry];
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    this.requests = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request latency by route template, method and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.direct = new Counter({
      name: 'http_direct_requests_total',
      help: 'API requests served without the Express pipeline (plain requests of parameterless routes)',
      registers,
    });
    const local = this.local;
    new Counter({
      name: 'stockroom_reservations_total',
      help: 'Reservations by outcome: admitted, refused (not enough stock), failed (errors), committed, released, expired',
      labelNames: ['outcome'],
      registers,
      collect() {
        const stats = stockroom.stats.reservations;
        this.reset();
        this.inc({ outcome: 'admitted' }, stats.admitted);
        this.inc({ outcome: 'refused' }, stats.refused);
        this.inc({ outcome: 'failed' }, stats.failed);
        this.inc({ outcome: 'committed' }, local.committed);
        this.inc({ outcome: 'released' }, local.released);
        this.inc({ outcome: 'expired' }, local.expired);
      },
    });
    const fromStats = (name: string, help: string, read: () => number) =>
      new Counter({
        name,
        help,
        registers,
        collect() {
          this.reset();
          this.inc(read());
        },
      });
    fromStats(
      'stockroom_conflicts_total',
      'Write conflicts (lost compare-and-set, serialization failures)',
      () => stockroom.stats.conflicts,
    );
    fromStats(
      'stockroom_retries_total',
      'Transactions retried after a conflict',
      () => stockroom.stats.retries,
    );
    fromStats(
      'stockroom_sold_out_refusals_total',
      'Reservations refused by the sold-out guard without a store round trip',
      () => stockroom.stats.soldOutRefusals,
    );
    fromStats(
      'stockroom_reservation_batches_total',
      'Reservation transactions (each applies a batch of requests)',
      () => stockroom.stats.batches.count,
    );
    fromStats(
      'stockroom_cache_hits_total',
      'Availability cache hits',
      () => stockroom.stats.cache.hits,
    );
    fromStats(
      'stockroom_cache_misses_total',
      'Availability cache misses',
      () => stockroom.stats.cache.misses,
    );
    fromStats(
      'stockroom_cache_coalesced_total',
      'Availability checks that shared a store read already in flight for their SKU',
      () => stockroom.stats.cache.coalesced,
    );
    const replica = options.replica;
    if (replica) {
      new Counter({
        name: 'stockroom_store_reads_total',
        help: 'Reads outside transactions by where they ran: replica, or primary because the replica had not replayed far enough',
        labelNames: ['target'],
        registers,
        collect() {
          const stats = replica();
          this.reset();
          if (!stats) return;
          this.inc({ target: 'replica' }, stats.replicaReads);
          this.inc({ target: 'primary' }, stats.primaryReads);
        },
      });
      new Gauge({
        name: 'stockroom_replica_lag_bytes',
        help: 'WAL bytes the read replica was behind the primary when a read last compared them',
        registers,
        collect() {
          this.set(replica()?.lagBytes ?? 0);
        },
      });
    }
    fromStats(
      'stockroom_cache_errors_total',
      'Availability cache and guard failures (treated as misses)',
      () => stockroom.stats.cache.errors,
    );
    fromStats(
      'stockroom_events_published_total',
      'Events the outbox relay delivered',
      () => stockroom.relay?.stats.published ?? 0,
    );
    fromStats(
      'stockroom_publish_failures_total',
      'Outbox relay publish attempts that failed',
      () => stockroom.relay?.stats.failedAttempts ?? 0,
    );
    const outboxLag = async () => {
      try {
        return await stockroom.store.reads.outboxLag();
      } catch (error) {
        logger.warn({ err: error }, 'could not read the outbox lag for metrics');
        return undefined;
      }
    };
    new Gauge({
      name: 'stockroom_outbox_pending',
      help: 'Events waiting in the outbox',
      registers,
      async collect() {
        const lag = await outboxLag();
        if (lag) this.set(lag.pending);
      },
    });
    new Gauge({
      name: 'stockroom_outbox_lag_seconds',
      help: 'Age of the oldest event waiting in the outbox (0 when empty)',
      registers,
      async collect() {
        const lag = await outboxLag();
        if (lag) {
          this.set(
            lag.oldest ? Math.max(0, (clock.now().getTime() - lag.oldest.getTime()) / 1000) : 0,
          );
        }
      },
    });
    const reports = options.reconcileReports;
    new Gauge({
      name: 'stockroom_reconcile_discrepancies',
      help: 'Discrepancies the last reconciliation found, by kind (ledger: row vs its movements; reserved: row vs its active holds; backordered: row vs its waiting lines; preordered: receipt vs its preorder lines)',
      labelNames: ['kind'],
      registers,
      collect() {
        const last = reports?.last;
        if (!last) return;
        for (const kind of FINDING_KINDS) this.set({ kind }, last.discrepancies[kind]);
      },
    });
    new Gauge({
      name: 'stockroom_reconcile_last_run_timestamp_seconds',
      help: 'When the last reconciliation finished (Unix time; absent before the first run)',
      registers,
      collect() {
        const last = reports?.last;
        if (last) this.set(Date.parse(last.finishedAt) / 1000);
      },
    });
    this.jobRuns = new Counter({
      name: 'stockroom_job_runs_total',
      help: 'Background job runs by outcome (ok, failed, skipped: lease held elsewhere)',
      labelNames: ['job', 'outcome'],
      registers,
    });
    this.jobProcessed = new Counter({
      name: 'stockroom_job_processed_total',
      help: 'Items processed by background jobs',
      labelNames: ['job'],
      registers,
    });
    this.jobDuration = new Histogram({
      name: 'stockroom_job_duration_seconds',
      help: 'Background job run time',
      labelNames: ['job'],
      buckets: [0.001, 0.01, 0.1, 0.5, 1, 5, 30, 120, 600],
      registers,
    });
  }

  /** Records one HTTP request. */
  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.requests.observe({ method, route, status: String(status) }, seconds);
  }

  /** Counts one request the direct path served (see direct-routes.ts). */
  servedDirectly(): void {
    this.direct.inc();
  }

  /** Counts a reservation outcome the core does not count. */
  count(outcome: LocalOutcome): void {
    this.local[outcome] += 1;
  }

  jobRan(
    name: JobName,
    outcome: 'ok' | 'failed' | 'skipped',
    processed: number,
    seconds: number,
  ): void {
    this.jobRuns.inc({ job: name, outcome });
    if (outcome === 'skipped') return;
    this.jobProcessed.inc({ job: name }, processed);
    this.jobDuration.observe({ job: name }, seconds);
    if (name === 'expire-reservations') this.local.expired += processed;
  }
}

const STARTED = Symbol('request started');
const REQUEST = Symbol('request');

/** A response the metrics middleware times: when its request started, and the request. */
type TimedResponse = ServerResponse & {
  readonly locals: Record<string, unknown>;
  [STARTED]: number;
  [REQUEST]: IncomingMessage;
};

/**
 * Middleware: records every request in `http_request_duration_seconds` when its response
 * finishes, under the route template the handler put in `response.locals.route` (`unmatched`
 * when none ran).
 */
export function requestMetrics(metrics: ServerMetrics) {
  // One listener for every response (no closure made per request): its state is on the response.
  function finished(this: TimedResponse): void {
    metrics.observeRequest(
      this[REQUEST].method ?? 'GET',
      (this.locals.route as string | undefined) ?? 'unmatched',
      this.statusCode,
      (performance.now() - this[STARTED]) / 1000,
    );
  }
  return (
    request: IncomingMessage,
    response: ServerResponse & { readonly locals: Record<string, unknown> },
    next: () => void,
  ): void => {
    const timed = response as TimedResponse;
    timed[STARTED] = performance.now();
    timed[REQUEST] = request;
    response.on('finish', finished);
    next();
  };
}
