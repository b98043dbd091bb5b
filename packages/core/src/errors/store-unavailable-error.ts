import { ErrorCode } from './error-codes.js';
import { StockroomError, type StockroomErrorOptions } from './stockroom-error.js';

/** The store could not be reached or refused to work (connection lost, pool closed, disk full). */
export class StoreUnavailableError extends StockroomError {
  readonly code = ErrorCode.STORE_UNAVAILABLE;
  override readonly retryable = true;

  constructor(message: string, options?: StockroomErrorOptions) {
    super(message, options);
  }
}
