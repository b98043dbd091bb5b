import { ManualClock, MemoryJobLease, silentLogger } from '@stockroom/core';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { DEFAULT_SCHEDULES, nextRunAfter } from '../src/job-schedule.js';
import { type JobDefinition, JobRunner, type JobTimers } from '../src/jobs.js';

/** Timers a test fires by hand: no sleeps. */
class FakeTimers implements JobTimers {
  readonly pending = new Map<number, { callback: () => void; delayMs: number }>();
  private nextId = 1;

  set(callback: () => void, delayMs: number): number {
    const id = this.nextId++;
    this.pending.set(id, { callback, delayMs });
    return id;
  }

  clear(handle: unknown): void {
    this.pending.delete(handle as number);
  }

  /** Fires every pending timer once. */
  fireAll(): void {
    const due = [...this.pending.entries()];
    for (const [id, { callback }] of due) {
      this.pending.delete(id);
      callback();
    }
  }
}

const at = (iso: string) => new Date(iso);

/** Finding 5 (scheduling): jobs run by the wall clock, from cron expressions in the config. */
describe('job schedules', () => {
  it('defaults: expiry every minute, low stock every 5 minutes, reconcile daily at 03:00 UTC', () => {
    const from = at('2026-03-01T09:02:30.000Z');
    expect(nextRunAfter(DEFAULT_SCHEDULES['expire-reservations'], from)).toEqual(
      at('2026-03-01T09:03:00.000Z'),
    );
    expect(nextRunAfter(DEFAULT_SCHEDULES['low-stock'], from)).toEqual(
      at('2026-03-01T09:05:00.000Z'),
    );
    expect(nextRunAfter(DEFAULT_SCHEDULES.reconcile, from)).toEqual(at('2026-03-02T03:00:00.000Z'));
    expect(nextRunAfter(DEFAULT_SCHEDULES.reconcile, at('2026-03-02T02:59:59.000Z'))).toEqual(
      at('2026-03-02T03:00:00.000Z'),
    );
    expect(nextRunAfter(DEFAULT_SCHEDULES['relay-outbox'], from)).toEqual(
      at('2026-03-01T09:02:31.000Z'),
    );
  });

  it('come from the configuration, checked by the same parser', () => {
    const config = loadConfig({
      STOCKROOM_SCHEDULE_RECONCILE: '30 1 * * 0',
      STOCKROOM_DATA_DIR: '/tmp',
    });
    expect(config.schedules).toEqual({ ...DEFAULT_SCHEDULES, reconcile: '30 1 * * 0' });
    expect(() => loadConfig({ STOCKROOM_SCHEDULE_LOW_STOCK: '61 * * * *' })).toThrow(
      /STOCKROOM_SCHEDULE_LOW_STOCK must be a cron expression such as "\*\/5 \* \* \* \*" \(Invalid value for minute: 61\)/,
    );
  });

  it('a service started at 09:00 reconciles at 03:00 the next night, then every night, under the lease', async () => {
    const clock = new ManualClock('2026-03-01T09:00:00.000Z');
    const timers = new FakeTimers();
    const runs: string[] = [];
    const job: JobDefinition = {
      name: 'reconcile',
      schedule: DEFAULT_SCHEDULES.reconcile,
      leaseMs: 60_000,
      async run() {
        runs.push(clock.now().toISOString());
        return 1;
      },
    };
    const lease = new MemoryJobLease(clock);
    const runner = new JobRunner([job], lease, silentLogger, undefined, { clock, timers });
    runner.start();
    expect(runner.nextRuns().get('reconcile')).toEqual(at('2026-03-02T03:00:00.000Z'));
    expect([...timers.pending.values()].map((timer) => timer.delayMs)).toEqual([18 * 3_600_000]);

    // A timer that fires early (clock drift) waits again instead of running.
    clock.set('2026-03-02T02:59:00.000Z');
    timers.fireAll();
    expect(runs).toEqual([]);
    expect([...timers.pending.values()].map((timer) => timer.delayMs)).toEqual([60_000]);

    clock.set('2026-03-02T03:00:00.000Z');
    timers.fireAll();
    await runner.stop().then(() => undefined);
    expect(runs).toEqual(['2026-03-02T03:00:00.000Z']);
  });

  it('schedules the next run after the one that ran', async () => {
    const clock = new ManualClock('2026-03-01T09:00:00.000Z');
    const timers = new FakeTimers();
    let ran = 0;
    let finished: () => void = () => {};
    const done = new Promise<void>((resolve) => {
      finished = resolve;
    });
    const job: JobDefinition = {
      name: 'low-stock',
      schedule: DEFAULT_SCHEDULES['low-stock'],
      leaseMs: 60_000,
      async run() {
        ran += 1;
        clock.advance(20_000);
        finished();
        return 0;
      },
    };
    const runner = new JobRunner([job], new MemoryJobLease(clock), silentLogger, undefined, {
      clock,
      timers,
    });
    runner.start();
    expect(runner.nextRuns().get('low-stock')).toEqual(at('2026-03-01T09:05:00.000Z'));
    clock.set('2026-03-01T09:05:00.000Z');
    timers.fireAll();
    await done;
    await new Promise((resolve) => setImmediate(resolve));
    expect(ran).toBe(1);
    await expect
      .poll(() => runner.nextRuns().get('low-stock'))
      .toEqual(at('2026-03-01T09:10:00.000Z'));
    await runner.stop();
    expect(runner.nextRuns().size).toBe(0);
    expect(timers.pending.size).toBe(0);
  });
});
