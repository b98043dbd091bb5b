import { ErrorCode } from './error-codes.js';
import { StockroomError, type StockroomErrorOptions } from './stockroom-error.js';

/**
 * The ledger before `horizon` was archived: a point-in-time read before it cannot be answered
 * from the store (read the archive export instead).
 */
export class HistoryArchivedError extends StockroomError {
  readonly code = ErrorCode.HISTORY_ARCHIVED;
  /** Movements recorded before this instant may have been archived. */
  readonly horizon: Date;
  /** The instant that was asked for. */
  readonly requested: Date;

  constructor(horizon: Date, requested: Date, options?: StockroomErrorOptions) {
    super(
      `history before ${horizon.toISOString()} is archived; ${requested.toISOString()} cannot be answered from the store`,
      options,
    );
    this.horizon = horizon;
    this.requested = requested;
  }
}
