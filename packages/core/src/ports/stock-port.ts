import type {
  InventoryStock,
  StockDeltas,
  StockKey,
  StockSettings,
} from '../domain/inventory-stock.js';
import type { Page, PageRequest } from './page.js';
import type { WriteOutcome } from './write-outcome.js';

/** A versioned write of one stock row. */
export interface StockWrite {
  /** The row as the transaction read it (its `version` is the expected version). */
  readonly before: InventoryStock;
  /** The row to store; `next.version > before.version`. */
  readonly next: InventoryStock;
  /** `next - before` per bucket, for adapters that write `available = available + delta`. */
  readonly deltas: StockDeltas;
}

/** Stock rows inside a transaction. */
export interface StockRows {
  /**
   * Every row of the given SKUs (all warehouses), sorted by (sku, warehouseId). With `lock`,
   * the rows are locked in that canonical order until the transaction ends.
   * @throws STORE_UNAVAILABLE, VERSION_CONFLICT (retryable: a lock wait ended in a deadlock)
   */
  read(skus: readonly string[], options?: { readonly lock?: boolean }): Promise<InventoryStock[]>;
  /**
   * One row, or null. With `lock`, locked until the transaction ends.
   * @throws STORE_UNAVAILABLE, VERSION_CONFLICT (retryable)
   */
  get(key: StockKey, options?: { readonly lock?: boolean }): Promise<InventoryStock | null>;
  /**
   * Inserts a new row. `{ applied: false }` when a row with that key exists (a concurrent insert won).
   * @throws STORE_UNAVAILABLE, VERSION_CONFLICT (retryable)
   */
  insert(row: InventoryStock): Promise<WriteOutcome>;
  /**
   * Writes each row's quantities, `total`, `version`, `lastRestockedAt`, `lastSoldAt` and
   * `updatedAt` (never its settings: see `updateSettings`) where its stored version still equals
   * `before.version` (and every quantity stays non-negative). All or nothing: `{ applied: false }`
   * when any row's version moved; the caller then rolls back. Rows in `unchanged` are not written
   * but must still be at the version given, which stops write skew between rows of one SKU.
   * @throws STORE_UNAVAILABLE, VERSION_CONFLICT (retryable), VALIDATION_FAILED when a quantity
   *   would go negative (a store-side check; the core never asks for it)
   */
  update(
    writes: readonly StockWrite[],
    unchanged?: readonly InventoryStock[],
  ): Promise<WriteOutcome>;
  /**
   * Writes a row's settings only (they are not part of the ledger and do not bump `version`).
   * `{ applied: false }` when the row does not exist.
   * @throws STORE_UNAVAILABLE, VERSION_CONFLICT (retryable)
   */
  updateSettings(key: StockKey, settings: StockSettings, now: Date): Promise<WriteOutcome>;
  /**
   * Sum of `total` over a warehouse's rows (its occupancy).
   * @throws STORE_UNAVAILABLE, VERSION_CONFLICT (retryable)
   */
  occupancy(warehouseId: string): Promise<number>;
}

/** Stock rows outside transactions (possibly from a replica). */
export interface StockReads {
  /**
   * Every row of a SKU, sorted by warehouseId.
   * @throws STORE_UNAVAILABLE
   */
  stockBySku(sku: string): Promise<InventoryStock[]>;
  /**
   * Rows of many SKUs, sorted by (sku, warehouseId).
   * @throws STORE_UNAVAILABLE
   */
  stockBySkus(skus: readonly string[]): Promise<InventoryStock[]>;
  /**
   * A warehouse's rows, sorted by sku, paged.
   * @throws STORE_UNAVAILABLE, VALIDATION_FAILED (a cursor this store did not issue)
   */
  stockByWarehouse(warehouseId: string, page: PageRequest): Promise<Page<InventoryStock>>;
  /**
   * All rows, sorted by (sku, warehouseId), paged (for jobs: reconcile, low stock, replenishment).
   * @throws STORE_UNAVAILABLE, VALIDATION_FAILED (a cursor this store did not issue)
   */
  allStock(page: PageRequest): Promise<Page<InventoryStock>>;
  /**
   * Rows with `available <= lowStockThreshold`, optionally of one warehouse, sorted by (sku, warehouseId).
   * @throws STORE_UNAVAILABLE
   */
  lowStock(warehouseId?: string): Promise<InventoryStock[]>;
}
