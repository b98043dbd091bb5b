import { Cron } from 'croner';

/**
 * The default schedules: cron expressions (5 fields, or 6 with seconds first) read in UTC.
 * Jobs run by the wall clock, so a service restarted every day still reconciles every night.
 */
export const DEFAULT_SCHEDULES = {
  'expire-reservations': '* * * * *',
  'low-stock': '*/5 * * * *',
  reconcile: '0 3 * * *',
  'relay-outbox': '* * * * * *',
  'purge-idempotency-keys': '0 * * * *',
} as const;

/** A job's name, as a key of {@link DEFAULT_SCHEDULES}. */
export type ScheduledJob = keyof typeof DEFAULT_SCHEDULES;

function cronOf(expression: string): Cron {
  return new Cron(expression, { timezone: 'UTC', paused: true });
}

/**
 * Why `expression` is not a usable cron expression, or undefined when it is (croner's parser,
 * the same that computes the runs).
 */
export function scheduleProblem(expression: string): string | undefined {
  try {
    if (cronOf(expression).nextRun(new Date()) === null) return 'never runs';
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message.replace(/^CronPattern: /, '') : String(error);
  }
}

/** The first time strictly after `after` that `expression` fires (UTC), or null if never. */
export function nextRunAfter(expression: string, after: Date): Date | null {
  return cronOf(expression).nextRun(after);
}
