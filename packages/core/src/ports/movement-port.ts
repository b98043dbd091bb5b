import type { Movement } from '../domain/movement.js';
import type { Page, PageRequest } from './page.js';

/** Filters for movement listings. */
export interface MovementFilter {
  readonly sku?: string;
  readonly warehouseId?: string;
}

/** The ledger inside a transaction: append only. */
export interface LedgerRows {
  /**
   * Appends movements.
   * @throws STORE_UNAVAILABLE, VERSION_CONFLICT (retryable; also for a duplicate movement id,
   *   which only a bug or a concurrent writer of the same id can cause)
   */
  append(movements: readonly Movement[]): Promise<void>;
}

/** The ledger outside transactions (possibly from a replica). */
export interface MovementReads {
  /**
   * Movements, newest first (by createdAt, then id), paged.
   * @throws STORE_UNAVAILABLE, VALIDATION_FAILED (a cursor this store did not issue)
   */
  movements(filter: MovementFilter, page: PageRequest): Promise<Page<Movement>>;
  /**
   * Movements of one row, or of every row of a SKU, in ledger order (by row, then version),
   * optionally only those at or before `until`, paged. This is what replay reads.
   * @throws STORE_UNAVAILABLE, VALIDATION_FAILED (a cursor this store did not issue)
   */
  ledger(
    filter: MovementFilter & { readonly until?: Date },
    page: PageRequest,
  ): Promise<Page<Movement>>;
}
