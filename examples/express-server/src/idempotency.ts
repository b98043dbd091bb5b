import type { IncomingHttpHeaders } from 'node:http';
import { HttpProblem } from './problem-details.js';

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/**
 * The request's `Idempotency-Key`: 1–255 visible ASCII characters, or undefined when absent.
 * @throws HttpProblem VALIDATION_FAILED when present but malformed
 */
export function idempotencyKeyOf(request: {
  readonly headers: IncomingHttpHeaders;
}): string | undefined {
  const key = request.headers['idempotency-key'];
  if (key === undefined) return undefined;
  if (typeof key !== 'string' || !KEY_PATTERN.test(key)) {
    throw new HttpProblem('VALIDATION_FAILED', 'The Idempotency-Key header is malformed', {
      errors: [{ path: 'Idempotency-Key', message: 'must be 1–255 visible ASCII characters' }],
    });
  }
  return key;
}
