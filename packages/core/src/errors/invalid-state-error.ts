import { ErrorCode } from './error-codes.js';
import { StockroomError, type StockroomErrorOptions } from './stockroom-error.js';

/** A transition that the entity's current state does not allow (commit an EXPIRED hold, …). */
export class InvalidStateError extends StockroomError {
  readonly code = ErrorCode.INVALID_STATE;
  /** The state the entity is in, when there is one. */
  readonly state: string | undefined;

  constructor(message: string, state?: string, options?: StockroomErrorOptions) {
    super(message, options);
    this.state = state;
  }
}
