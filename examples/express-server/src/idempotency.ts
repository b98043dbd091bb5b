import {
  type Clock,
  fingerprint,
  IdempotencyConflictError,
  type StockStore,
} from '@stockroom/core';
import type { Request } from 'express';
import { HttpProblem } from './problem-details.js';

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/**
 * The request's `Idempotency-Key`: 1–255 visible ASCII characters, or undefined when absent.
 * @throws HttpProblem VALIDATION_FAILED when present but malformed
 */
export function idempotencyKeyOf(request: Request): string | undefined {
  const key = request.get('idempotency-key');
  if (key === undefined) return undefined;
  if (!KEY_PATTERN.test(key)) {
    throw new HttpProblem('VALIDATION_FAILED', 'The Idempotency-Key header is malformed', {
      errors: [{ path: 'Idempotency-Key', message: 'must be 1–255 visible ASCII characters' }],
    });
  }
  return key;
}

/** A stored HTTP response. */
interface StoredResponse {
  readonly body: unknown;
}

/**
 * Replay for the few POSTs that are not one core command (acknowledge an alert, run a job):
 * their first response is kept in the store's idempotency table under the same (API key, key)
 * namespace the core commands use, so a key is never valid for two different requests.
 *
 * Unlike the core commands, the effect and the record are not written in one transaction;
 * that is sound only because both operations are idempotent in themselves (acknowledging twice,
 * or running a job twice, leaves the same state).
 */
export class HttpIdempotency {
  constructor(
    private readonly store: StockStore,
    private readonly clock: Clock,
  ) {}

  /**
   * Runs `work` once per (scope, key): a repeat with the same request gets the stored body,
   * a repeat with another request gets IDEMPOTENCY_KEY_REUSED.
   */
  async run(
    scope: string,
    key: string,
    operation: string,
    request: unknown,
    work: () => Promise<unknown>,
  ): Promise<{ body: unknown; replayed: boolean }> {
    const print = fingerprint(`http:${operation}`, request);
    const existing = await this.store.transaction((transaction) =>
      transaction.idempotency.get(scope, key),
    );
    if (existing) {
      if (existing.fingerprint !== print) throw new IdempotencyConflictError(key);
      return { body: (JSON.parse(existing.result) as StoredResponse).body, replayed: true };
    }
    const body = await work();
    const record = { body } satisfies StoredResponse;
    await this.store.transaction((transaction) =>
      transaction.idempotency.put({
        scope,
        key,
        fingerprint: print,
        result: JSON.stringify(record),
        createdAt: this.clock.now(),
      }),
    );
    return { body, replayed: false };
  }
}
