import {
  createMemoryStockStore,
  createStockroom,
  ManualClock,
  MemoryJobLease,
  silentLogger,
} from '@stockroom/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type JobDefinition, type JobName, JobRunner, oncePerPeriod } from '../src/jobs.js';

// Two instances of the server on one store, each with its own (in-process) job lease, fire the
// same five-minute cron schedule: the job still runs once per scheduled time.

const EVERY = 5 * 60_000;

describe('scheduled jobs on several instances', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('run once per period, the other instance skipping', async () => {
    vi.useFakeTimers();
    const clock = new ManualClock('2026-03-01T12:00:00.000Z');
    const store = createMemoryStockStore();
    const outcomes: string[] = [];
    let runs = 0;
    const runners = [0, 1].map((instance) => {
      const stockroom = createStockroom({ store, clock });
      const job: JobDefinition = {
        name: 'low-stock',
        schedule: '*/5 * * * *',
        leaseMs: EVERY,
        async run() {
          runs += 1;
          return instance;
        },
      };
      return new JobRunner(
        [job],
        new MemoryJobLease(clock),
        silentLogger,
        {
          jobRan: (_name: JobName, outcome) => {
            outcomes.push(outcome);
          },
        },
        { clock, periodic: oncePerPeriod(stockroom) },
      );
    });
    for (const runner of runners) runner.start();
    for (let period = 1; period <= 3; period += 1) {
      clock.advance(EVERY);
      await vi.advanceTimersByTimeAsync(EVERY);
      // Let a waiting instance poll the first run's result.
      await vi.advanceTimersByTimeAsync(1000);
      expect(runs).toBe(period);
      expect(outcomes.filter((outcome) => outcome === 'ok')).toHaveLength(period);
      expect(outcomes.filter((outcome) => outcome === 'skipped')).toHaveLength(period);
    }
    await Promise.all(runners.map((runner) => runner.stop()));
    await store.close();
  });
});
