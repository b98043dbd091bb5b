import { performance } from 'node:perf_hooks';

/** Latency percentiles of one measurement, in milliseconds. */
export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

/** Collects latency samples (ms) and summarises them; samples of several rounds may be merged. */
export class LatencyRecorder {
  private samples: number[] = [];

  /** Adds one sample. */
  record(milliseconds: number): void {
    this.samples.push(milliseconds);
  }

  /** Adds every sample of `other`. */
  merge(other: LatencyRecorder): void {
    for (const sample of other.samples) this.samples.push(sample);
  }

  /** How many samples were recorded. */
  get count(): number {
    return this.samples.length;
  }

  /** Nearest-rank percentiles; null when nothing was recorded. */
  summary(): LatencySummary | null {
    if (this.samples.length === 0) return null;
    const sorted = Float64Array.from(this.samples).sort();
    return {
      count: sorted.length,
      p50: percentile(sorted, 0.5),
      p95: percentile(sorted, 0.95),
      p99: percentile(sorted, 0.99),
      max: sorted[sorted.length - 1]!,
    };
  }
}

/** The nearest-rank percentile `q` (0–1) of ascending `sorted` samples. */
export function percentile(sorted: ArrayLike<number>, q: number): number {
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

/** The median of some numbers (the middle one, or the mean of the two middle ones). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** How a closed-loop load runs. */
export interface ClosedLoopOptions {
  /** Callers running at once; each sends its next request when the previous one answered. */
  readonly concurrency: number;
  /** Stop sending new requests after this long. */
  readonly durationMs: number;
  /** Stop sending new requests after this many, whichever comes first. */
  readonly maxRequests?: number;
  /** A caller stops after its first request with one of these outcomes (a sell-out run). */
  readonly stopCallerOn?: readonly string[];
}

/** What a closed-loop load measured: each outcome's count, latencies and the elapsed time. */
export interface ClosedLoopResult<Outcome extends string> {
  readonly elapsedMs: number;
  readonly requests: number;
  readonly outcomes: Partial<Record<Outcome | 'error', number>>;
  readonly latencies: LatencyRecorder;
  /** The first unexpected error a call threw (counted as outcome `error`). */
  readonly firstError: unknown;
}

/**
 * Runs `concurrency` callers, each calling `call` in a loop until the duration or the request
 * budget is spent (or it met a `stopCallerOn` outcome), and records every call's latency and
 * outcome. A call that throws counts as outcome `error`.
 */
export async function runClosedLoop<Outcome extends string>(
  options: ClosedLoopOptions,
  call: (caller: number) => Promise<Outcome>,
): Promise<ClosedLoopResult<Outcome>> {
  const latencies = new LatencyRecorder();
  const outcomes: Partial<Record<Outcome | 'error', number>> = {};
  const count = (outcome: Outcome | 'error') => {
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
  };
  const maxRequests = options.maxRequests ?? Number.POSITIVE_INFINITY;
  const stopOn = new Set<string>(options.stopCallerOn ?? []);
  let requests = 0;
  let firstError: unknown;
  const started = performance.now();
  const deadline = started + options.durationMs;
  const caller = async (index: number) => {
    while (requests < maxRequests && performance.now() < deadline) {
      requests += 1;
      const begin = performance.now();
      let outcome: Outcome | 'error';
      try {
        outcome = await call(index);
      } catch (error) {
        firstError ??= error;
        outcome = 'error';
      }
      latencies.record(performance.now() - begin);
      count(outcome);
      if (stopOn.has(outcome)) return;
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, (_unused, index) => caller(index)));
  return {
    elapsedMs: performance.now() - started,
    requests,
    outcomes,
    latencies,
    firstError,
  };
}

/** Samples the process's resident set and heap while `work` runs; reports the peaks. */
export async function withMemoryPeak<T>(
  work: () => Promise<T>,
  intervalMs = 20,
): Promise<{ result: T; baselineRssMb: number; peakRssMb: number; peakHeapMb: number }> {
  const mb = (bytes: number) => bytes / (1024 * 1024);
  const before = process.memoryUsage();
  let peakRss = before.rss;
  let peakHeap = before.heapUsed;
  const sample = () => {
    const usage = process.memoryUsage();
    peakRss = Math.max(peakRss, usage.rss);
    peakHeap = Math.max(peakHeap, usage.heapUsed);
  };
  const timer = setInterval(sample, intervalMs);
  try {
    const result = await work();
    sample();
    return {
      result,
      baselineRssMb: mb(before.rss),
      peakRssMb: mb(peakRss),
      peakHeapMb: mb(peakHeap),
    };
  } finally {
    clearInterval(timer);
  }
}
