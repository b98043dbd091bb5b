import { ErrorCode } from './error-codes.js';
import { StockroomError, type StockroomErrorOptions } from './stockroom-error.js';

/**
 * A kit SKU cannot hold stock: an adjustment, a stock setting or a bulk item named a kit, or a
 * kit was defined for a SKU that has stock rows. Nothing is changed.
 */
export class KitNotStockableError extends StockroomError {
  readonly code = ErrorCode.KIT_NOT_STOCKABLE;
  /** The kit SKU (or the stocked SKU a kit was defined for). */
  readonly sku: string;

  constructor(sku: string, message?: string, options?: StockroomErrorOptions) {
    super(message ?? `${sku} is a kit: kits are never stocked (stock its components)`, options);
    this.sku = sku;
  }
}
