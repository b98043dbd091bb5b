import type { WriteOutcome } from '../ports/write-outcome.js';
import type { Kit } from './kit.js';

/**
 * Kit definitions inside a store transaction (`StockTransaction.kits`). Kits are few and small:
 * the core lists them all and keeps them in process (see `KitDirectory`).
 */
export interface KitRows {
  /** The kits among `skus` (SKUs that are no kit are left out), in any order. With `lock`, locked until the transaction ends. */
  get(skus: readonly string[], options?: { readonly lock?: boolean }): Promise<Kit[]>;
  /** Every kit, sorted by SKU. */
  list(): Promise<Kit[]>;
  /**
   * Stores `next` (header and components) where the stored kit's version equals
   * `expectedVersion` (0: where no kit has that SKU yet); `{ applied: false }` otherwise.
   */
  put(next: Kit, expectedVersion: number): Promise<WriteOutcome>;
  /** Deletes where the stored version equals `expectedVersion`; `{ applied: false }` otherwise. */
  remove(sku: string, expectedVersion: number): Promise<WriteOutcome>;
}
