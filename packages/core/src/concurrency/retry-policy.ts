import { isStockroomError } from '../errors/stockroom-error.js';
import { StoreUnavailableError } from '../errors/store-unavailable-error.js';
import { VersionConflictError } from '../errors/version-conflict-error.js';

/**
 * How internal races (a deadlock, a serialization failure, a busy database, a guarded write that
 * lost, an idempotency key stored concurrently) are retried: exponential backoff with full
 * jitter until a deadline. They never reach the caller as `VERSION_CONFLICT`.
 */
export interface RetryPolicy {
  /**
   * Attempts in all, the first included. Unbounded by default: the deadline bounds the retries.
   * A finite count brings back the old behaviour (an exhausted count surfaces a retryable
   * `VERSION_CONFLICT`); it exists for comparisons and should not be set in production.
   * @default Infinity
   */
  readonly maxAttempts: number;
  /** The first backoff's ceiling in ms. @default 2 */
  readonly baseDelayMs: number;
  /** No backoff waits longer than this. @default 100 */
  readonly maxDelayMs: number;
  /**
   * Gives up once this much time has passed since the first attempt, with a retryable
   * `STORE_UNAVAILABLE` (the store is too busy to make progress). @default 30000
   */
  readonly deadlineMs: number;
}

/** The default retry policy: no attempt count, a 30 s deadline. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  maxAttempts: Number.POSITIVE_INFINITY,
  baseDelayMs: 2,
  maxDelayMs: 100,
  deadlineMs: 30_000,
});

/** Full jitter: a uniform wait in [0, min(max, base · 2^attempt)). */
export function backoffDelay(
  policy: RetryPolicy,
  attempt: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}

/** True for errors worth another attempt: retryable version conflicts and busy stores. */
export function isRetryableConflict(error: unknown): boolean {
  return isStockroomError(error) && error.code === 'VERSION_CONFLICT' && error.retryable;
}

/** Counters a caller may pass to see what retrying cost. */
export interface RetryStats {
  attempts: number;
  conflicts: number;
}

/**
 * Runs `attempt` until it succeeds, retrying only retryable conflicts, under `policy`.
 * @throws STORE_UNAVAILABLE (retryable) once the deadline passed; VERSION_CONFLICT (retryable)
 *   only when a finite `maxAttempts` ran out; any other error at once
 */
export async function withRetry<T>(
  policy: RetryPolicy,
  attempt: (attemptNumber: number) => Promise<T>,
  options: {
    readonly onConflict?: (error: unknown, attempt: number) => void;
    readonly now?: () => number;
  } = {},
): Promise<T> {
  const now = options.now ?? Date.now;
  const started = now();
  for (let attemptNumber = 0; ; attemptNumber += 1) {
    try {
      return await attempt(attemptNumber);
    } catch (error) {
      if (!isRetryableConflict(error)) throw error;
      options.onConflict?.(error, attemptNumber);
      const delay = backoffDelay(policy, attemptNumber);
      if (attemptNumber + 1 >= policy.maxAttempts) {
        throw new VersionConflictError(
          `Gave up after ${attemptNumber + 1} attempts: concurrent writers kept changing the same rows`,
          { retryable: true },
          { cause: error },
        );
      }
      if (now() - started + delay > policy.deadlineMs) {
        throw new StoreUnavailableError(
          `The store made no progress within ${policy.deadlineMs} ms (${attemptNumber + 1} attempts)`,
          { cause: error },
        );
      }
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
