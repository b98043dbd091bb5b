import type { Warehouse } from '../domain/warehouse.js';
import type { Page, PageRequest } from './page.js';
import type { WriteOutcome } from './write-outcome.js';

/** Warehouses inside a transaction. */
export interface WarehouseRows {
  /**
   * Warehouses by id (missing ones are left out). With `lock`, locked until the transaction ends.
   * @throws STORE_UNAVAILABLE, VERSION_CONFLICT (retryable)
   */
  get(ids: readonly string[], options?: { readonly lock?: boolean }): Promise<Warehouse[]>;
  /**
   * Every warehouse, sorted by id.
   * @throws STORE_UNAVAILABLE, VERSION_CONFLICT (retryable)
   */
  list(): Promise<Warehouse[]>;
  /**
   * Inserts; `{ applied: false }` when the id exists.
   * @throws STORE_UNAVAILABLE, VERSION_CONFLICT (retryable)
   */
  insert(warehouse: Warehouse): Promise<WriteOutcome>;
  /**
   * Stores `next` where the stored version equals `expectedVersion`; `{ applied: false }` otherwise.
   * @throws STORE_UNAVAILABLE, VERSION_CONFLICT (retryable)
   */
  update(next: Warehouse, expectedVersion: number): Promise<WriteOutcome>;
}

/** Warehouses outside transactions (possibly from a replica). */
export interface WarehouseReads {
  /**
   * One warehouse, or null.
   * @throws STORE_UNAVAILABLE
   */
  warehouse(id: string): Promise<Warehouse | null>;
  /**
   * Warehouses sorted by id, paged.
   * @throws STORE_UNAVAILABLE, VALIDATION_FAILED (a cursor this store did not issue)
   */
  warehouses(page: PageRequest): Promise<Page<Warehouse>>;
  /**
   * Occupancy (sum of `total`) per warehouse id.
   * @throws STORE_UNAVAILABLE
   */
  occupancies(): Promise<Map<string, number>>;
}
