import type { StockKey } from '../domain/inventory-stock.js';
import type { LowStockAlert } from '../domain/low-stock-alert.js';
import type { Page, PageRequest } from './page.js';
import type { WriteOutcome } from './write-outcome.js';

/** Low-stock alerts inside a transaction. */
export interface AlertRows {
  /**
   * The open (TRIGGERED or ACKNOWLEDGED) alerts of the given rows.
   * @throws STORE_UNAVAILABLE, VERSION_CONFLICT (retryable)
   */
  findOpen(keys: readonly StockKey[]): Promise<LowStockAlert[]>;
  /**
   * One alert, or null.
   * @throws STORE_UNAVAILABLE, VERSION_CONFLICT (retryable)
   */
  get(id: string): Promise<LowStockAlert | null>;
  /**
   * Inserts; `{ applied: false }` when the row already has an open alert.
   * @throws STORE_UNAVAILABLE, VERSION_CONFLICT (retryable)
   */
  insert(alert: LowStockAlert): Promise<WriteOutcome>;
  /**
   * Inserts many alerts, each on a different row, in as few statements as the store can;
   * answers, in the same order, whether each was inserted (`false`: its row already has an
   * open alert). Optional: without it the core calls {@link AlertRows.insert} for each.
   * @throws STORE_UNAVAILABLE, VERSION_CONFLICT (retryable)
   */
  insertMany?(alerts: readonly LowStockAlert[]): Promise<readonly boolean[]>;
  /**
   * Overwrites an alert.
   * @throws STORE_UNAVAILABLE, VERSION_CONFLICT (retryable)
   */
  update(alert: LowStockAlert): Promise<void>;
}

/** Low-stock alerts outside transactions (possibly from a replica). */
export interface AlertReads {
  /**
   * Alerts, newest first, optionally in one status, paged.
   * @throws STORE_UNAVAILABLE, VALIDATION_FAILED (a cursor this store did not issue)
   */
  alerts(
    filter: { readonly status?: LowStockAlert['status'] },
    page: PageRequest,
  ): Promise<Page<LowStockAlert>>;
}
