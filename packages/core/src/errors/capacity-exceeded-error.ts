import { ErrorCode } from './error-codes.js';
import { StockroomError, type StockroomErrorOptions } from './stockroom-error.js';

/** A change would take a row over its `maxStockLevel` or a warehouse over its capacity. */
export class CapacityExceededError extends StockroomError {
  readonly code = ErrorCode.CAPACITY_EXCEEDED;
  /** `stock-level` for a row's maxStockLevel, `warehouse` for a warehouse's capacity. */
  readonly limit: 'stock-level' | 'warehouse';
  readonly maximum: number;
  /** What the quantity would have become. */
  readonly attempted: number;
  readonly sku: string | undefined;
  readonly warehouseId: string;

  constructor(
    details: {
      limit: 'stock-level' | 'warehouse';
      maximum: number;
      attempted: number;
      sku?: string;
      warehouseId: string;
    },
    options?: StockroomErrorOptions,
  ) {
    super(
      `${details.limit === 'warehouse' ? `Warehouse ${details.warehouseId} capacity` : `Max stock level of ${details.sku}@${details.warehouseId}`} is ${details.maximum}; the change would make it ${details.attempted}`,
      options,
    );
    this.limit = details.limit;
    this.maximum = details.maximum;
    this.attempted = details.attempted;
    this.sku = details.sku;
    this.warehouseId = details.warehouseId;
  }
}
