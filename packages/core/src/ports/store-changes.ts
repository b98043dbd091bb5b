/**
 * What other processes committed to the store since the previous poll: some SKUs' stock and
 * whether any warehouse changed, or `everything` when the store cannot tell (SQLite's
 * `data_version` moved, a PostgreSQL listener reconnected).
 */
export type StoreChanges =
  | { readonly everything: true }
  | {
      readonly everything: false;
      readonly skus: readonly string[];
      readonly warehouses: boolean;
    };

/** Nothing changed. */
export const NO_STORE_CHANGES: StoreChanges = Object.freeze({
  everything: false,
  skus: Object.freeze([]) as readonly string[],
  warehouses: false,
});

/**
 * Commits made to the store by other processes or instances, for caches that live in one
 * process. The core polls it before serving an availability check from an in-process cache.
 *
 * The contract: every commit that completed before a `poll()` call started is reported by that
 * call or an earlier one. Commits made through this store object need not be reported (the core
 * invalidates those itself). A poll that throws is taken as `everything`.
 */
export interface StoreChangeFeed {
  /** The changes committed elsewhere since the previous poll. Cheap (no table read). */
  poll(): Promise<StoreChanges>;
  /** Stops listening. Idempotent. */
  close?(): Promise<void>;
}
