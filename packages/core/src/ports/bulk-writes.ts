import type { CloudEvent } from '../domain/events.js';
import type { InventoryStock } from '../domain/inventory-stock.js';
import type { Movement } from '../domain/movement.js';
import type { StockWrite } from './stock-port.js';
import type { WriteOutcome } from './write-outcome.js';

/**
 * Set-based writes for bulk imports, which a store may offer on its transactions (see
 * `StockTransaction.bulk`). Each call writes many rows in a few statements (PostgreSQL: one
 * array a column through `unnest`; SQLite: prepared statements in the open transaction) instead
 * of one statement a row. Same guarantees, and the same errors, as the row-by-row members they
 * stand in for.
 */
export interface BulkWrites {
  /**
   * Inserts new rows. When any of them exists already (a concurrent insert won), answers
   * `{ applied: false }` or throws a retryable VERSION_CONFLICT (a store may let the insert fail
   * rather than check each key first); either way the caller's transaction rolls back.
   * @throws STORE_UNAVAILABLE, VERSION_CONFLICT (retryable)
   */
  insertStock(rows: readonly InventoryStock[]): Promise<WriteOutcome>;
  /**
   * `StockRows.update` for many rows: guarded by version, all or nothing.
   * @throws STORE_UNAVAILABLE, VERSION_CONFLICT (retryable), VALIDATION_FAILED (a negative quantity)
   */
  updateStock(
    writes: readonly StockWrite[],
    unchanged?: readonly InventoryStock[],
  ): Promise<WriteOutcome>;
  /**
   * `LedgerRows.append` for many movements.
   * @throws STORE_UNAVAILABLE, VERSION_CONFLICT (retryable)
   */
  appendMovements(movements: readonly Movement[]): Promise<void>;
  /**
   * `OutboxRows.append` for many events, kept in order.
   * @throws STORE_UNAVAILABLE, VERSION_CONFLICT (retryable)
   */
  appendEvents(events: readonly CloudEvent[]): Promise<void>;
}
