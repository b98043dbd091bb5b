import { ErrorCode } from './error-codes.js';
import { StockroomError, type StockroomErrorOptions } from './stockroom-error.js';

/**
 * A reservation asked for fewer units of a SKU than the SKU's per-cart minimum, or for more than
 * its maximum (the sum of the request's items of that SKU counts). Nothing is held.
 */
export class CartLimitExceededError extends StockroomError {
  readonly code = ErrorCode.CART_LIMIT_EXCEEDED;
  readonly sku: string;
  /** `MIN` when below the minimum, `MAX` when over the maximum. */
  readonly limit: 'MIN' | 'MAX';
  /** The limit's value (units per reservation). */
  readonly value: number;
  /** The units of the SKU the request asked for. */
  readonly requested: number;

  constructor(
    details: { sku: string; limit: 'MIN' | 'MAX'; value: number; requested: number },
    options?: StockroomErrorOptions,
  ) {
    super(
      `${details.sku}: ${details.requested} units per cart is ${details.limit === 'MIN' ? 'below the minimum' : 'over the maximum'} of ${details.value}`,
      options,
    );
    this.sku = details.sku;
    this.limit = details.limit;
    this.value = details.value;
    this.requested = details.requested;
  }
}
