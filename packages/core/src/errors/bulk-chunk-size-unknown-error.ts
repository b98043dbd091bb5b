import { ErrorCode } from './error-codes.js';
import { StockroomError, type StockroomErrorOptions } from './stockroom-error.js';

/**
 * A keyed bulk import has chunks committed by a version that did not record their size, and
 * no size tried (with or without SKU separation) cuts this request into the chunks stored
 * first: its key cannot be resumed safely at any size known here. Nothing is applied. Retry
 * with `policies.bulkBatchSize` set to the size the import started with, or check the levels
 * and send the rest under a new key.
 */
export class BulkChunkSizeUnknownError extends StockroomError {
  readonly code = ErrorCode.IDEMPOTENCY_KEY_REUSED;
  /** The import's idempotency key. */
  readonly key: string;
  /** The chunk sizes whose chunks did not match the stored ones. */
  readonly sizesTried: readonly number[];

  constructor(key: string, sizesTried: readonly number[], options?: StockroomErrorOptions) {
    super(
      `Bulk import ${key} has chunks committed without a recorded chunk size, and cut at ${sizesTried.join(' or ')} items this request does not give its stored chunks; retry with policies.bulkBatchSize set to the size it started with, or send the rest under a new key`,
      options,
    );
    this.key = key;
    this.sizesTried = sizesTried;
  }
}
