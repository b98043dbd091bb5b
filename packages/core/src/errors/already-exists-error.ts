import { ErrorCode } from './error-codes.js';
import { StockroomError, type StockroomErrorOptions } from './stockroom-error.js';

/** Creating an entity whose id is taken. */
export class AlreadyExistsError extends StockroomError {
  readonly code = ErrorCode.ALREADY_EXISTS;
  readonly entity: string;
  readonly id: string;

  constructor(entity: string, id: string, options?: StockroomErrorOptions) {
    super(`${entity} ${id} already exists`, options);
    this.entity = entity;
    this.id = id;
  }
}
