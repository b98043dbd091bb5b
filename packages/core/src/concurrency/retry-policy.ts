import { isStockroomError } from '../errors/stockroom-error.js';
import { VersionConflictError } from '../errors/version-conflict-error.js';

/** How conflicts are retried: exponential backoff with full jitter, bounded attempts and a deadline. */
export interface RetryPolicy {
  /** Attempts in all, the first included. @default 8 */
  readonly maxAttempts: number;
  /** The first backoff's ceiling in ms. @default 5 */
  readonly baseDelayMs: number;
  /** No backoff waits longer than this. @default 200 */
  readonly maxDelayMs: number;
  /** Gives up once this much time has passed since the first attempt. @default 5000 */
  readonly deadlineMs: number;
}

/** The default retry policy. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  maxAttempts: 8,
  baseDelayMs: 5,
  maxDelayMs: 200,
  deadlineMs: 5000,
});

/** Full jitter: a uniform wait in [0, min(max, base · 2^attempt)). */
export function backoffDelay(
  policy: RetryPolicy,
  attempt: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
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
 * @throws VERSION_CONFLICT (retryable) once the budget is spent; any other error at once
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
      if (attemptNumber + 1 >= policy.maxAttempts || now() - started + delay > policy.deadlineMs) {
        throw new VersionConflictError(
          `Gave up after ${attemptNumber + 1} attempts: concurrent writers kept changing the same rows`,
          { retryable: true },
          { cause: error },
        );
      }
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
