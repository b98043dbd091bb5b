import { ErrorCode } from './error-codes.js';
import { StockroomError, type StockroomErrorOptions } from './stockroom-error.js';

/**
 * A compare-and-set lost: either the caller's `expectedVersion` no longer matches
 * (`retryable: false`), or concurrent writers kept winning until the retry budget ran out
 * (`retryable: true`: the same call may succeed later).
 */
export class VersionConflictError extends StockroomError {
  readonly code = ErrorCode.VERSION_CONFLICT;
  override readonly retryable: boolean;
  /** The version the caller expected, when the conflict is against one. */
  readonly expectedVersion: number | undefined;
  /** The version found, when known. */
  readonly actualVersion: number | undefined;

  constructor(
    message: string,
    details: { retryable?: boolean; expectedVersion?: number; actualVersion?: number } = {},
    options?: StockroomErrorOptions,
  ) {
    super(message, options);
    this.retryable = details.retryable ?? true;
    this.expectedVersion = details.expectedVersion;
    this.actualVersion = details.actualVersion;
  }
}
