import { ErrorCode } from './error-codes.js';
import { StockroomError, type StockroomErrorOptions } from './stockroom-error.js';

/** The named entity does not exist. */
export class NotFoundError extends StockroomError {
  readonly code = ErrorCode.NOT_FOUND;
  /** What kind of thing was looked for: `warehouse`, `stock`, `reservation`, … */
  readonly entity: string;
  /** Its id (for stock rows, `sku@warehouseId`). */
  readonly id: string;

  constructor(entity: string, id: string, options?: StockroomErrorOptions) {
    super(`${entity} ${id} not found`, options);
    this.entity = entity;
    this.id = id;
  }
}
