import { ErrorCode } from './error-codes.js';
import { StockroomError, type StockroomErrorOptions } from './stockroom-error.js';

/** The idempotency key was already used for a different request. */
export class IdempotencyConflictError extends StockroomError {
  readonly code = ErrorCode.IDEMPOTENCY_KEY_REUSED;
  readonly key: string;

  constructor(key: string, options?: StockroomErrorOptions) {
    super(`Idempotency key ${key} was already used with a different request`, options);
    this.key = key;
  }
}
