import type { IncomingReceipt, ReceiptStatus } from '../domain/incoming-receipt.js';
import type { Reservation } from '../domain/reservation.js';
import type { WriteOutcome } from './write-outcome.js';

/** Filters for receipt listings. */
export interface ReceiptFilter {
  readonly sku?: string;
  readonly warehouseId?: string;
  readonly status?: ReceiptStatus;
}

/**
 * Incoming receipts inside a store transaction (`StockTransaction.receipts`, migration 0008).
 * The core writes a SKU's receipts only in that SKU's write lane, so reads taken with `lock`
 * decide on values no other writer of this process changes; `lock` adds a row lock where the
 * engine has them (SQLite's write transaction holds the database lock anyway).
 */
export interface ReceiptRows {
  /**
   * One receipt, or null.
   * @throws STORE_UNAVAILABLE, VERSION_CONFLICT (retryable)
   */
  get(id: string, options?: { readonly lock?: boolean }): Promise<IncomingReceipt | null>;
  /**
   * The EXPECTED and PARTIALLY_RECEIVED receipts of the SKUs, earliest `expectedAt` first (then
   * oldest first, then by id): the order preorders take them in.
   * @throws STORE_UNAVAILABLE, VERSION_CONFLICT (retryable)
   */
  open(skus: readonly string[], options?: { readonly lock?: boolean }): Promise<IncomingReceipt[]>;
  /**
   * Inserts a new receipt.
   * @throws STORE_UNAVAILABLE, VERSION_CONFLICT (retryable; also when the id exists already)
   */
  insert(receipt: IncomingReceipt): Promise<void>;
  /**
   * Stores `next` where the stored version equals `expectedVersion`; `{ applied: false }` otherwise.
   * @throws STORE_UNAVAILABLE, VERSION_CONFLICT (retryable)
   */
  update(next: IncomingReceipt, expectedVersion: number): Promise<WriteOutcome>;
  /**
   * Receipts, newest first (ids are time-ordered: descending id), after the receipt `after`
   * when given, at most `limit`.
   * @throws STORE_UNAVAILABLE
   */
  list(
    filter: ReceiptFilter,
    page: { readonly limit: number; readonly after?: string },
  ): Promise<IncomingReceipt[]>;
  /**
   * The ACTIVE reservations with a line whose preordered units come from the receipt, oldest
   * first (then by id): the order received units are handed to them. Locked with `lock`.
   * @throws STORE_UNAVAILABLE, VERSION_CONFLICT (retryable)
   */
  preorders(receiptId: string, options?: { readonly lock?: boolean }): Promise<Reservation[]>;
  /**
   * Per receipt of `receiptIds`, the sum of the `preordered` units of the ACTIVE reservation
   * lines pointing at it (receipts no line points at are left out), for reconciliation.
   * Optional: without it, reconciliation sums `preorders` receipt by receipt.
   * @throws STORE_UNAVAILABLE, VERSION_CONFLICT (retryable)
   */
  preorderedUnits?(receiptIds: readonly string[]): Promise<Map<string, number>>;
}
