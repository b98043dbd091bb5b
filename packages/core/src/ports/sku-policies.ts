import type { SkuPolicy } from '../domain/sku-policy.js';
import type { WriteOutcome } from './stock-store.js';

/** Per-SKU selling policies inside a transaction (see `SkuPolicy`). */
export interface SkuPolicyRows {
  /**
   * The stored policies of the given SKUs (SKUs with none are left out, in any order). Read in
   * the same transaction as the SKUs' stock rows, so a reservation decides on both at once.
   */
  get(skus: readonly string[]): Promise<SkuPolicy[]>;
  /**
   * Stores `next` where the stored policy's version equals `expectedVersion` (0: where the SKU
   * has no policy yet). `{ applied: false }` otherwise; the caller then rolls back or retries.
   */
  put(next: SkuPolicy, expectedVersion: number): Promise<WriteOutcome>;
  /** Deletes a SKU's policy (it then falls back to the defaults); false when it had none. */
  remove(sku: string): Promise<boolean>;
}
