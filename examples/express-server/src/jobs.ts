import { InvalidStateError, type JobLease, type Logger, type Stockroom } from '@stockroom/core';

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

/** A job: what it does and how often. */
export interface JobDefinition {
  readonly name: JobName;
  /** The pause between the end of one run and the start of the next. */
  readonly everyMs: number;
  /** The pause before the first scheduled run. */
  readonly firstAfterMs: number;
  /** How long a run may hold the lease before another instance may take over. */
  readonly leaseMs: number;
  /** Runs once; returns how many items it processed. */
  run(): Promise<number>;
}

/**
 * Runs a scheduled job at most once per period across every instance on the store (see
 * {@link oncePerPeriod}); `ran: false` when another instance ran it this period.
 */
export type PeriodicGuard = (
  job: JobDefinition,
  run: () => Promise<number>,
) => Promise<{ readonly processed: number; readonly ran: boolean }>;

/** Jobs this frequent are safe to overlap (SKIP LOCKED claims) and are not keyed per period. */
const KEYED_FROM_MS = 60_000;

/**
 * A {@link PeriodicGuard} on the store's idempotency records: the run of period
 * ⌊now ÷ everyMs⌋ is keyed `<job>@<period>`, so however many instances fire the schedule, the
 * job runs once in that period (the others get the first run's count as a replay).
 */
export function oncePerPeriod(stockroom: Stockroom, now: () => Date): PeriodicGuard {
  return async (job, run) => {
    if (job.everyMs < KEYED_FROM_MS) return { processed: await run(), ran: true };
    const period = Math.floor(now().getTime() / job.everyMs);
    let ran = true;
    const processed = await stockroom.runOnce(
      'scheduled-job',
      { job: job.name, period },
      {
        idempotencyKey: `${job.name}@${period}`,
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

/** The jobs of a stockroom. */
export function stockroomJobs(
  stockroom: Stockroom,
  options: { readonly reconcileRepair: boolean; readonly idempotencyRetentionMs?: number },
): JobDefinition[] {
  return [
    {
      name: 'expire-reservations',
      everyMs: MINUTE,
      firstAfterMs: 5_000,
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
      everyMs: 5 * MINUTE,
      firstAfterMs: 10_000,
      leaseMs: 10 * MINUTE,
      async run() {
        return (await stockroom.alerts.evaluateLowStock()).processed;
      },
    },
    {
      name: 'reconcile',
      everyMs: 24 * 60 * MINUTE,
      firstAfterMs: 24 * 60 * MINUTE,
      leaseMs: 60 * MINUTE,
      async run() {
        const result = await stockroom.reconciliation.reconcile(
          { repair: options.reconcileRepair },
          { actor: 'system:reconcile' },
        );
        return result.checked;
      },
    },
    {
      name: 'relay-outbox',
      everyMs: 1_000,
      firstAfterMs: 1_000,
      leaseMs: MINUTE,
      async run() {
        return stockroom.relay ? stockroom.relay.drain(50) : 0;
      },
    },
    {
      name: 'purge-idempotency-keys',
      everyMs: 60 * MINUTE,
      firstAfterMs: MINUTE,
      leaseMs: 10 * MINUTE,
      async run() {
        return stockroom.purgeIdempotencyKeys(options.idempotencyRetentionMs);
      },
    },
  ];
}

/**
 * Runs jobs on their schedules and on demand. Within the process a job never overlaps itself
 * (runs queue up); across instances a lease (in memory, or in Redis) lets one instance run it at
 * a time. The expiry sweep and the relay are also safe under concurrency on stores that claim with
 * SKIP LOCKED; the lease only saves the duplicate work.
 */
export class JobRunner {
  private readonly jobs = new Map<JobName, JobDefinition>();
  private readonly running = new Map<JobName, Promise<unknown>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(
    definitions: readonly JobDefinition[],
    private readonly lease: JobLease,
    private readonly logger: Logger,
    private readonly observer?: JobObserver,
    private readonly periodic?: PeriodicGuard,
  ) {
    for (const definition of definitions) this.jobs.set(definition.name, definition);
  }

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
    for (const job of this.jobs.values()) this.schedule(job, job.firstAfterMs);
  }

  /** Stops the schedules and waits for running jobs to finish. Idempotent. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await Promise.allSettled([...this.running.values()]);
  }

  private schedule(job: JobDefinition, delayMs: number): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.runExclusive(job.name, true)
        .catch(() => {
          // already logged and counted
        })
        .finally(() => this.schedule(job, job.everyMs));
    }, delayMs);
    timer.unref();
    this.timers.add(timer);
  }

  private runExclusive(name: JobName, scheduled = false): Promise<{ processed: number } | 'busy'> {
    const job = this.jobs.get(name);
    if (!job) throw new InvalidStateError(`Unknown job ${name}`);
    const previous = this.running.get(name) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.runLeased(job, scheduled));
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
    scheduled: boolean,
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
      if (scheduled && this.periodic) {
        const outcome = await this.periodic(job, () => job.run());
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
