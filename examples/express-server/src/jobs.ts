import {
  type Clock,
  InvalidStateError,
  type JobLease,
  type Logger,
  type Stockroom,
  systemClock,
} from '@stockroom/core';
import { DEFAULT_SCHEDULES, nextRunAfter } from './job-schedule.js';
import { type ReconcileReports, reconcileReport } from './reconcile-report.js';

/** The background jobs, each also runnable through POST /api/v1/admin/jobs/:name/run. */
export const JOB_NAMES = [
  'expire-reservations',
  'low-stock',
  'reconcile',
  'relay-outbox',
  'purge-idempotency-keys',
] as const;

/** One of {@link JOB_NAMES}. */
export type JobName = (typeof JOB_NAMES)[number];

/** A job: what it does and when. */
export interface JobDefinition {
  readonly name: JobName;
  /**
   * When it runs: a cron expression read in UTC (5 fields, or 6 with seconds first). A run
   * that is still going when the next time comes makes that time wait for it (runs never
   * overlap); the next run is the first time after the run ends.
   */
  readonly schedule: string;
  /** How long a run may hold the lease before another instance may take over. */
  readonly leaseMs: number;
  /** Runs once; returns how many items it processed. */
  run(): Promise<number>;
}

/**
 * Runs a scheduled job at most once per scheduled time across every instance on the store (see
 * {@link oncePerPeriod}); `ran: false` when another instance ran it for that time.
 */
export type PeriodicGuard = (
  job: JobDefinition,
  scheduledAt: Date,
  run: () => Promise<number>,
) => Promise<{ readonly processed: number; readonly ran: boolean }>;

/** Jobs this frequent are safe to overlap (SKIP LOCKED claims) and are not keyed per run. */
const KEYED_FROM_MS = 60_000;

/**
 * A {@link PeriodicGuard} on the store's idempotency records: the run scheduled for time T is
 * keyed `<job>@<T>`, so however many instances fire the schedule (they read the same cron
 * expression by the wall clock), the job runs once for T (the others get the first run's count
 * as a replay). Jobs that fire more often than once a minute are not keyed.
 */
export function oncePerPeriod(stockroom: Stockroom): PeriodicGuard {
  return async (job, scheduledAt, run) => {
    const following = nextRunAfter(job.schedule, scheduledAt);
    if (!following || following.getTime() - scheduledAt.getTime() < KEYED_FROM_MS) {
      return { processed: await run(), ran: true };
    }
    const at = scheduledAt.toISOString();
    let ran = true;
    const processed = await stockroom.runOnce(
      'scheduled-job',
      { job: job.name, at },
      {
        idempotencyKey: `${job.name}@${at}`,
        idempotencyScope: 'stockroom:jobs',
        onReplay: () => {
          ran = false;
        },
      },
      run,
    );
    return { processed, ran };
  };
}

/** What the runner reports for metrics. */
export interface JobObserver {
  jobRan(
    name: JobName,
    outcome: 'ok' | 'failed' | 'skipped',
    processed: number,
    seconds: number,
  ): void;
}

const MINUTE = 60_000;
/** Reservations one expiry transaction takes at most. */
export const EXPIRY_BATCH = 1000;
/** Batches one expiry run takes at most before yielding to the next run. */
const EXPIRY_BATCHES_PER_RUN = 100;

/** Options of {@link stockroomJobs}. */
export interface StockroomJobOptions {
  readonly reconcileRepair: boolean;
  readonly idempotencyRetentionMs?: number;
  /** Cron expressions (UTC) replacing {@link DEFAULT_SCHEDULES} per job. */
  readonly schedules?: Partial<Record<JobName, string>>;
  /** Keeps the last reconciliation's report (admin endpoint, metrics). */
  readonly reconcileReports?: ReconcileReports;
  /** Where each reconciliation finding is logged, at warn. */
  readonly logger?: Logger;
  /** Stamps the reports. @default the system clock */
  readonly clock?: Clock;
}

/** The jobs of a stockroom. */
export function stockroomJobs(stockroom: Stockroom, options: StockroomJobOptions): JobDefinition[] {
  const schedule = (name: JobName) => options.schedules?.[name] ?? DEFAULT_SCHEDULES[name];
  const clock = options.clock ?? systemClock;
  return [
    {
      name: 'expire-reservations',
      schedule: schedule('expire-reservations'),
      leaseMs: 5 * MINUTE,
      async run() {
        let total = 0;
        for (let batch = 0; batch < EXPIRY_BATCHES_PER_RUN; batch += 1) {
          const expired = await stockroom.reservations.expireDue({ limit: EXPIRY_BATCH });
          total += expired;
          if (expired < EXPIRY_BATCH) break;
        }
        return total;
      },
    },
    {
      name: 'low-stock',
      schedule: schedule('low-stock'),
      leaseMs: 10 * MINUTE,
      async run() {
        return (await stockroom.alerts.evaluateLowStock()).processed;
      },
    },
    {
      name: 'reconcile',
      schedule: schedule('reconcile'),
      leaseMs: 60 * MINUTE,
      async run() {
        const result = await stockroom.reconciliation.reconcile(
          { repair: options.reconcileRepair },
          { actor: 'system:reconcile' },
        );
        const report = reconcileReport(result, clock.now(), options.reconcileRepair);
        // Every finding is reported, repaired or not: a number that does not add up is news.
        for (const finding of result.discrepancies) {
          options.logger?.warn(
            { job: 'reconcile', finding, repaired: options.reconcileRepair },
            'reconciliation finding: a stock row does not match its ledger or its holds',
          );
        }
        for (const finding of result.receiptDiscrepancies) {
          options.logger?.warn(
            { job: 'reconcile', finding, repaired: false },
            'reconciliation finding: a receipt does not match its preorders',
          );
        }
        if (report.discrepancies.total > 0) {
          options.logger?.warn(
            {
              job: 'reconcile',
              checked: report.checked,
              discrepancies: report.discrepancies,
              repaired: report.repaired,
            },
            'reconciliation found discrepancies',
          );
        }
        options.reconcileReports?.record(report);
        return result.checked;
      },
    },
    {
      name: 'relay-outbox',
      schedule: schedule('relay-outbox'),
      leaseMs: MINUTE,
      async run() {
        return stockroom.relay ? stockroom.relay.drain(50) : 0;
      },
    },
    {
      name: 'purge-idempotency-keys',
      schedule: schedule('purge-idempotency-keys'),
      leaseMs: 10 * MINUTE,
      async run() {
        return stockroom.purgeIdempotencyKeys(options.idempotencyRetentionMs);
      },
    },
  ];
}

/** The timers the runner schedules with (tests pass fake ones and drive them). */
export interface JobTimers {
  /** Calls `callback` after `delayMs`; returns a handle for `clear`. */
  set(callback: () => void, delayMs: number): unknown;
  clear(handle: unknown): void;
}

/** Node's timers, unreferenced so they never keep the process alive. */
export const nodeTimers: JobTimers = {
  set(callback, delayMs) {
    const timer = setTimeout(callback, delayMs);
    timer.unref();
    return timer;
  },
  clear(handle) {
    clearTimeout(handle as NodeJS.Timeout);
  },
};

/** The longest delay one timer may take (Node's limit); longer waits are chained. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * Runs jobs on their schedules (cron expressions by the wall clock, in UTC) and on demand.
 * Within the process a job never overlaps itself (runs queue up); across instances a lease (in
 * memory, or in Redis) lets one instance run it at a time. The expiry sweep and the relay are also safe under concurrency on stores that claim with
 * SKIP LOCKED; the lease only saves the duplicate work.
 */
export class JobRunner {
  private readonly jobs = new Map<JobName, JobDefinition>();
  private readonly running = new Map<JobName, Promise<unknown>>();
  private readonly timers = new Map<JobName, unknown>();
  private stopped = false;
  private readonly clock: Clock;
  private readonly timer: JobTimers;
  private readonly periodic: PeriodicGuard | undefined;

  constructor(
    definitions: readonly JobDefinition[],
    private readonly lease: JobLease,
    private readonly logger: Logger,
    private readonly observer?: JobObserver,
    /** The wall clock the schedules read, the timers that wait for it, and the once-per-period guard. */
    timing: {
      readonly clock?: Clock;
      readonly timers?: JobTimers;
      readonly periodic?: PeriodicGuard;
    } = {},
  ) {
    for (const definition of definitions) this.jobs.set(definition.name, definition);
    this.clock = timing.clock ?? systemClock;
    this.timer = timing.timers ?? nodeTimers;
    this.periodic = timing.periodic;
  }

  /** When each scheduled job runs next (empty before `start` and after `stop`). */
  nextRuns(): ReadonlyMap<JobName, Date> {
    return new Map(this.next);
  }

  private readonly next = new Map<JobName, Date>();

  /** True when `name` is a job. */
  has(name: string): name is JobName {
    return this.jobs.has(name as JobName);
  }

  /**
   * Runs a job now (after the run in progress in this process, if any).
   * @returns how many items it processed
   * @throws INVALID_STATE when another instance holds the job's lease
   */
  async run(name: JobName): Promise<number> {
    const outcome = await this.runExclusive(name);
    if (outcome === 'busy') {
      throw new InvalidStateError(
        `Job ${name} is running on another instance; try again later`,
        'RUNNING',
      );
    }
    return outcome.processed;
  }

  /** Starts the schedules. */
  start(): void {
    for (const job of this.jobs.values()) this.schedule(job);
  }

  /** Stops the schedules and waits for running jobs to finish. Idempotent. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const handle of this.timers.values()) this.timer.clear(handle);
    this.timers.clear();
    this.next.clear();
    await Promise.allSettled([...this.running.values()]);
  }

  /** Waits for the job's next time by the wall clock, runs it, and schedules the one after. */
  private schedule(job: JobDefinition): void {
    if (this.stopped) return;
    const due = nextRunAfter(job.schedule, this.clock.now());
    if (!due) {
      this.next.delete(job.name);
      return;
    }
    this.next.set(job.name, due);
    const wait = () => {
      const remaining = due.getTime() - this.clock.now().getTime();
      if (remaining > 0) {
        // Not yet (a long wait is chained in pieces Node's timers accept).
        this.timers.set(job.name, this.timer.set(wait, Math.min(remaining, MAX_TIMER_MS)));
        return;
      }
      this.timers.delete(job.name);
      this.runExclusive(job.name, due)
        .catch(() => {
          // already logged and counted
        })
        .finally(() => this.schedule(job));
    };
    wait();
  }

  private runExclusive(name: JobName, scheduledAt?: Date): Promise<{ processed: number } | 'busy'> {
    const job = this.jobs.get(name);
    if (!job) throw new InvalidStateError(`Unknown job ${name}`);
    const previous = this.running.get(name) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.runLeased(job, scheduledAt));
    // The tracked copy never rejects (callers get the rejection through `next`).
    const tracked: Promise<unknown> = next
      .catch(() => undefined)
      .finally(() => {
        if (this.running.get(name) === tracked) this.running.delete(name);
      });
    this.running.set(name, tracked);
    return next;
  }

  private async runLeased(
    job: JobDefinition,
    scheduledAt: Date | undefined,
  ): Promise<{ processed: number } | 'busy'> {
    const started = performance.now();
    const lease = await this.lease.acquire(`job:${job.name}`, job.leaseMs);
    if (!lease) {
      this.observer?.jobRan(job.name, 'skipped', 0, 0);
      this.logger.debug({ job: job.name }, 'job lease held elsewhere; skipped');
      return 'busy';
    }
    const renewal = setInterval(
      () => {
        lease.renew(job.leaseMs).catch((error: unknown) => {
          this.logger.warn({ err: error, job: job.name }, 'job lease renewal failed');
        });
      },
      Math.max(1000, job.leaseMs / 2),
    );
    renewal.unref();
    try {
      let processed: number;
      if (scheduledAt && this.periodic) {
        const outcome = await this.periodic(job, scheduledAt, () => job.run());
        if (!outcome.ran) {
          this.observer?.jobRan(job.name, 'skipped', 0, 0);
          this.logger.debug({ job: job.name }, 'job already ran this period elsewhere; skipped');
          return { processed: 0 };
        }
        processed = outcome.processed;
      } else processed = await job.run();
      const seconds = (performance.now() - started) / 1000;
      this.observer?.jobRan(job.name, 'ok', processed, seconds);
      // Quiet runs (nothing to do) stay at debug: the relay runs every second.
      this.logger[processed > 0 ? 'info' : 'debug'](
        { job: job.name, processed, ms: Math.round(seconds * 1000) },
        'job ran',
      );
      return { processed };
    } catch (error) {
      this.observer?.jobRan(job.name, 'failed', 0, (performance.now() - started) / 1000);
      this.logger.error({ err: error, job: job.name }, 'job failed');
      throw error;
    } finally {
      clearInterval(renewal);
      await lease.release().catch((error: unknown) => {
        this.logger.warn({ err: error, job: job.name }, 'job lease release failed');
      });
    }
  }
}
