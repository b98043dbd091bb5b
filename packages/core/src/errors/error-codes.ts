/**
 * Stable error codes. Callers branch on these (or on `instanceof`), never on message text.
 * The example server maps each code to an HTTP status in one table.
 */
export const ErrorCode = {
  INSUFFICIENT_STOCK: 'INSUFFICIENT_STOCK',
  VERSION_CONFLICT: 'VERSION_CONFLICT',
  INVALID_STATE: 'INVALID_STATE',
  NOT_FOUND: 'NOT_FOUND',
  ALREADY_EXISTS: 'ALREADY_EXISTS',
  VALIDATION_FAILED: 'VALIDATION_FAILED',
  IDEMPOTENCY_KEY_REUSED: 'IDEMPOTENCY_KEY_REUSED',
  CAPACITY_EXCEEDED: 'CAPACITY_EXCEEDED',
  STORE_UNAVAILABLE: 'STORE_UNAVAILABLE',
  /** A point-in-time read before the archive horizon (the ledger there was archived). */
  HISTORY_ARCHIVED: 'HISTORY_ARCHIVED',
  /** A reservation holds fewer units of a SKU than its cart minimum, or more than its maximum. */
  CART_LIMIT_EXCEEDED: 'CART_LIMIT_EXCEEDED',
  /** A stock change named a kit SKU (kits are never stocked), or a kit would be stocked. */
  KIT_NOT_STOCKABLE: 'KIT_NOT_STOCKABLE',
} as const;

/** One of the stable error codes in {@link ErrorCode}. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];
