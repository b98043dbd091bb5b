import type { Clock } from '../ports/clock.js';

/** A clock that moves only when told: for tests of expiry and alerts. */
export class ManualClock implements Clock {
  private current: number;

  constructor(start: Date | string | number = '2026-01-01T00:00:00.000Z') {
    this.current = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  /** Moves time forward by `milliseconds`. */
  advance(milliseconds: number): void {
    this.current += milliseconds;
  }

  /** Sets the time. */
  set(instant: Date | string | number): void {
    this.current = new Date(instant).getTime();
  }
}
