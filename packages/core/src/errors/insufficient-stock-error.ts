import { ErrorCode } from './error-codes.js';
import { StockroomError, type StockroomErrorOptions } from './stockroom-error.js';

/** What one requested line lacked. `available` is what could be had at that instant. */
export interface Shortfall {
  readonly sku: string;
  /** Set when the line was pinned to one warehouse or the shortfall is for one row. */
  readonly warehouseId?: string;
  readonly requested: number;
  readonly available: number;
}

/** Not enough stock for at least one line; nothing was held or changed. */
export class InsufficientStockError extends StockroomError {
  readonly code = ErrorCode.INSUFFICIENT_STOCK;
  /** Each short line with what was requested and what was available. */
  readonly shortfalls: readonly Shortfall[];

  constructor(shortfalls: readonly Shortfall[], options?: StockroomErrorOptions) {
    const text = shortfalls
      .map((line) => `${line.sku}: requested ${line.requested}, available ${line.available}`)
      .join('; ');
    super(`Insufficient stock (${text})`, options);
    this.shortfalls = shortfalls;
  }
}
