import { isStockroomError } from '../errors/stockroom-error.js';
import type { StockTransaction } from '../ports/stock-store.js';
import { BufferedKeyTaken, bufferedTransaction } from './batch-transaction.js';
import { nextTurn } from './next-turn.js';

/**
 * Jobs that are applied together when they meet in one batch (the reservation service's
 * reserve requests: one read of the rows, one write per row for the whole group). `P` is what
 * one job carries, `T` what it comes to.
 */
export interface JobGroup<P, T> {
  /** Batched even when `commands` batching is off (the reserve requests). */
  readonly always?: boolean;
  /** Applies every job of the group in the transaction, in order; one outcome per job. */
  runMany(transaction: StockTransaction, jobs: readonly P[]): Promise<GroupOutcome<T>[]>;
}

/** What one job of a group came to: a result, or an error for that job alone. */
export type GroupOutcome<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: unknown };

/** A job group with its types erased, as a lane's queue holds it. */
type AnyGroup = JobGroup<unknown, unknown>;

interface Job {
  readonly skus: readonly string[];
  readonly work?: (transaction: StockTransaction) => Promise<unknown>;
  readonly group?: AnyGroup;
  readonly payload?: unknown;
  /** Run in a batch of its own (after its group failed as a whole). */
  alone: boolean;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/** Thrown inside a batch transaction to roll it back because of one job. */
class JobFailed extends Error {
  constructor(
    readonly jobs: readonly Job[],
    readonly error: unknown,
  ) {
    super('a job of the batch failed');
  }
}

/** Counters of the lanes, for metrics and benchmarks. */
export interface LaneStats {
  count: number;
  requests: number;
  largest: number;
}

/** One lane: its queue of jobs and whether a drain loop is cutting batches from it. */
interface Lane {
  readonly queue: Job[];
  running: boolean;
  /** Wakes the drain loop waiting with room for another batch (set while it waits). */
  wake?: (() => void) | undefined;
  /** How many jobs the lane's last batch held: how many a lane that gathers waits for. */
  lastBatchSize: number;
}

/** Runs a transaction (the service context's `transact`: retried within the deadline). */
export type Transact = <T>(work: (transaction: StockTransaction) => Promise<T>) => Promise<T>;

/** The lane of a job: a hash of its smallest SKU. */
function laneOf(skus: readonly string[], lanes: number): number {
  let smallest: string | undefined;
  for (const sku of skus) if (smallest === undefined || sku < smallest) smallest = sku;
  const key = smallest ?? '';
  let hash = 0;
  for (let index = 0; index < key.length; index += 1)
    hash = (Math.imul(hash, 31) + key.charCodeAt(index)) >>> 0;
  return hash % lanes;
}

/**
 * The lane batcher: every write job is queued on a lane chosen by its smallest SKU, and a lane
 * applies what waits in it as ONE store transaction — its rows locked up front in canonical
 * (sku, warehouseId) order, the jobs applied in arrival order, one commit for all. A crowd on a
 * hot SKU costs one commit per batch instead of one per command.
 *
 * With one lane (the default) every job of the process shares one queue, so jobs of one process
 * never wait for each other's row locks. With several lanes, the jobs that touch only one SKU
 * share that SKU's queue, but a job touching several SKUs goes to the lane of its smallest SKU:
 * it can run beside a batch of another lane that writes one of its other SKUs, and then waits
 * for that batch's row locks (the locks, not the lanes, keep the rows consistent).
 *
 * A job that fails with a non-retryable error rolls its batch back; it gets its error and the
 * others run again without it (one bad request never fails the others). Retryable failures
 * (deadlocks, busy stores) retry the whole batch under the retry policy.
 */
export class WriteLanes {
  private readonly lanes: readonly Lane[];
  private readonly batchesInFlight: number;
  private readonly gathers: boolean;

  constructor(
    private readonly transact: Transact,
    laneCount: number,
    private readonly maxBatchSize: number,
    private readonly stats: LaneStats,
    private readonly options: {
      readonly commands: boolean;
      /**
       * How many batches of one lane may run at once, over disjoint SKUs (a store whose row
       * locks let writers of other rows through). @default 1
       */
      readonly batchesInFlight?: number;
      /**
       * Keep turning the event loop before a cut while jobs still arrive, up to as many as the
       * last batch held, an idle lane's first job included: for stores whose batches never yield
       * to I/O (SQLite, in memory), where callers answered over a network come back one by one
       * after a batch. @default false (one turn after a batch, an idle lane's job at once)
       */
      readonly gather?: boolean;
    } = { commands: true },
  ) {
    this.lanes = Array.from({ length: laneCount }, () => ({
      queue: [],
      running: false,
      lastBatchSize: 0,
    }));
    this.batchesInFlight = Math.max(1, Math.trunc(options.batchesInFlight ?? 1));
    this.gathers = options.gather ?? false;
  }

  /** Runs `work` in the next batch of the lane of `skus` (the SKUs whose rows it writes). */
  run<T>(skus: readonly string[], work: (transaction: StockTransaction) => Promise<T>): Promise<T> {
    if (!this.options.commands) return this.transact(work);
    return new Promise<T>((resolve, reject) => {
      this.enqueue({
        skus,
        work,
        alone: false,
        resolve: resolve as (value: unknown) => void,
        reject,
      });
    });
  }

  /** Queues one job of `group`; jobs of one group meeting in a batch are applied together. */
  runGrouped<P, T>(group: JobGroup<P, T>, skus: readonly string[], payload: P): Promise<T> {
    if (!this.options.commands && !group.always) {
      return this.transact(async (transaction) => {
        const [outcome] = await group.runMany(transaction, [payload]);
        if (!outcome!.ok) throw outcome!.error;
        return outcome!.value;
      });
    }
    return new Promise<T>((resolve, reject) => {
      this.enqueue({
        skus,
        group: group as AnyGroup,
        payload,
        alone: false,
        resolve: resolve as (value: unknown) => void,
        reject,
      });
    });
  }

  private enqueue(job: Job): void {
    const lane = this.lanes[laneOf(job.skus, this.lanes.length)]!;
    lane.queue.push(job);
    if (!lane.running) void this.drain(lane);
    else lane.wake?.();
  }

  private async drain(lane: Lane): Promise<void> {
    lane.running = true;
    const queue = lane.queue;
    const inFlight = new Set<Promise<void>>();
    // The SKUs of the batches running now: a job touching one of them waits for a later cut.
    const busy = new Set<string>();
    const start = (batch: Job[]) => {
      const skus = [...new Set(batch.flatMap((job) => job.skus))];
      for (const sku of skus) busy.add(sku);
      const running: Promise<void> = this.runBatch(batch)
        .then(
          (retry) => {
            queue.unshift(...retry);
          },
          (error: unknown) => {
            for (const job of batch) job.reject(error);
          },
        )
        .finally(() => {
          lane.lastBatchSize = batch.length;
          for (const sku of skus) busy.delete(sku);
          inFlight.delete(running);
        });
      inFlight.add(running);
    };
    try {
      if (this.gathers) await this.gather(lane);
      while (queue.length > 0 || inFlight.size > 0) {
        const free = this.batchesInFlight - inFlight.size;
        const batches = free > 0 && queue.length > 0 ? this.cut(queue, busy, free) : [];
        for (const batch of batches) start(batch);
        if (inFlight.size === 0) continue;
        // Wait for a batch to end or, with room for another batch, for a new job.
        const ended = Promise.race(inFlight);
        await (inFlight.size < this.batchesInFlight
          ? Promise.race([ended, new Promise<void>((resolve) => (lane.wake = resolve))])
          : ended);
        lane.wake = undefined;
        await this.gather(lane);
      }
    } finally {
      lane.running = false;
    }
  }

  /**
   * Lets the callers just answered queue their next jobs before the next cut: one event-loop
   * turn (callers in this process are back by then). A lane that gathers turns again while each
   * turn brings new jobs, until as many wait as the last batch held: HTTP clients answered by a
   * batch come back a few per turn. Never a timer: a turn that brings nothing ends it.
   */
  private async gather(lane: Lane): Promise<void> {
    const queue = lane.queue;
    const target = Math.min(this.maxBatchSize, this.gathers ? lane.lastBatchSize : 0);
    let seen: number;
    do {
      if (queue.length >= this.maxBatchSize) return;
      seen = queue.length;
      await nextTurn();
    } while (queue.length > seen && queue.length < target);
  }

  /**
   * The next batches (at most `count`, over disjoint SKUs): the waiting jobs in arrival order,
   * each joining the batch that already has one of its SKUs, else the smallest batch. A job is
   * left waiting when it touches a SKU of a running batch (`busy`), of two new batches, of a job
   * left waiting before it (so one SKU's jobs keep their order), or when its batch is full. A
   * job marked `alone` runs in a batch of its own.
   */
  private cut(queue: Job[], busy: ReadonlySet<string>, count: number): Job[][] {
    const batches: Job[][] = [];
    const owner = new Map<string, number>();
    const blocked = new Set(busy);
    const taken = new Set<Job>();
    for (const job of queue) {
      if (job.skus.some((sku) => blocked.has(sku))) {
        for (const sku of job.skus) blocked.add(sku);
        continue;
      }
      const joined = new Set(job.skus.flatMap((sku) => owner.get(sku) ?? []));
      let target: number | undefined;
      if (job.alone) {
        if (joined.size === 0 && batches.length < count) target = batches.push([]) - 1;
      } else if (joined.size === 1) target = [...joined][0]!;
      else if (joined.size === 0) {
        if (batches.length < count) target = batches.push([]) - 1;
        else {
          for (const [index, batch] of batches.entries()) {
            if (
              !batch[0]?.alone &&
              (target === undefined || batch.length < batches[target]!.length)
            )
              target = index;
          }
        }
      }
      const batch = target === undefined ? undefined : batches[target];
      if (
        target === undefined ||
        batch === undefined ||
        batch.length >= this.maxBatchSize ||
        (batch.length > 0 && (batch[0]!.alone || job.alone))
      ) {
        for (const sku of job.skus) blocked.add(sku);
        if (batches.length >= count && batches.every((each) => each.length >= this.maxBatchSize))
          break;
        continue;
      }
      batch.push(job);
      taken.add(job);
      for (const sku of job.skus) owner.set(sku, target);
    }
    if (taken.size > 0) {
      const left = queue.filter((job) => !taken.has(job));
      queue.length = 0;
      queue.push(...left);
    }
    return batches.filter((batch) => batch.length > 0);
  }

  /** Runs one batch; returns the jobs to run again (those rolled back with a failing one). */
  private async runBatch(batch: readonly Job[]): Promise<Job[]> {
    this.stats.count += 1;
    this.stats.requests += batch.length;
    this.stats.largest = Math.max(this.stats.largest, batch.length);
    try {
      return await this.runBatchOnce(batch, true);
    } catch (error) {
      if (!(error instanceof BufferedKeyTaken)) throw error;
      // Another process stored one of the batch's keys first: run unbuffered, so the job whose
      // key was taken finds out itself (and its retry replays the stored result).
      return this.runBatchOnce(batch, false);
    }
  }

  private async runBatchOnce(batch: readonly Job[], buffered: boolean): Promise<Job[]> {
    // Grouped jobs run together at the place of the group's first job.
    const steps: Array<{ jobs: Job[]; group?: AnyGroup }> = [];
    const byGroup = new Map<AnyGroup, Job[]>();
    for (const job of batch) {
      if (job.group && !job.alone) {
        const jobs = byGroup.get(job.group);
        if (jobs) jobs.push(job);
        else {
          const created = [job];
          byGroup.set(job.group, created);
          steps.push({ jobs: created, group: job.group });
        }
      } else steps.push({ jobs: [job], ...(job.group ? { group: job.group } : {}) });
    }
    const skus = [...new Set(batch.flatMap((job) => job.skus))].sort();
    let outcomes: Map<Job, GroupOutcome<unknown>>;
    try {
      outcomes = await this.transact(async (direct) => {
        const results = new Map<Job, GroupOutcome<unknown>>();
        const buffer = buffered ? bufferedTransaction(direct) : undefined;
        const transaction = buffer?.transaction ?? direct;
        // Lock every row the batch may write, in canonical order, before any job runs (a batch
        // of one too): jobs then always take stock rows before reservation or transfer rows, and
        // never in an order another process's batch could cross.
        if (skus.length > 0) await transaction.stock.read(skus, { lock: true });
        for (const step of steps) {
          try {
            if (step.group) {
              const many = await step.group.runMany(
                transaction,
                step.jobs.map((job) => job.payload),
              );
              step.jobs.forEach((job, index) => {
                results.set(job, many[index]!);
              });
            } else {
              const job = step.jobs[0]!;
              results.set(job, { ok: true, value: await job.work!(transaction) });
            }
          } catch (error) {
            if (isStockroomError(error) && error.retryable) throw error;
            throw new JobFailed(step.jobs, error);
          }
        }
        await buffer?.flush();
        return results;
      });
    } catch (error) {
      if (error instanceof BufferedKeyTaken) throw error;
      if (error instanceof JobFailed) {
        const failed = new Set(error.jobs);
        if (failed.size === 1 && batch.length === 1) {
          batch[0]!.reject(error.error);
          return [];
        }
        if (failed.size === 1) {
          const [job] = error.jobs;
          job!.reject(error.error);
        } else {
          // A whole group failed: its jobs run one by one so the failing one is found.
          for (const job of error.jobs) job.alone = true;
        }
        return batch.filter((job) => !failed.has(job) || job.alone);
      }
      for (const job of batch) job.reject(error);
      return [];
    }
    for (const job of batch) {
      const outcome = outcomes.get(job)!;
      if (outcome.ok) job.resolve(outcome.value);
      else job.reject(outcome.error);
    }
    return [];
  }
}
