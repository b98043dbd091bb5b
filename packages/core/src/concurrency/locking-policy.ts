/** How a SKU's rows are protected: version compare-and-set, or row locks taken up front. */
export type LockingMode = 'optimistic' | 'pessimistic';

/**
 * Chooses the locking mode per SKU. `pessimistic` (the default) locks a SKU's rows in canonical
 * (sku, warehouseId) order before the write is planned, so stockroom's own writers queue instead
 * of failing each other's version checks. `optimistic` reads without locks and relies on the
 * version check and retries alone; under contention it wastes work on retries.
 * @default every SKU pessimistic
 */
export type LockingPolicy = (sku: string) => LockingMode;

/** The default: every SKU's rows are locked by the writes that change them. */
export const pessimisticEverywhere: LockingPolicy = () => 'pessimistic';

/** The old default: no row locks, version checks and retries only (for comparisons). */
export const optimisticEverywhere: LockingPolicy = () => 'optimistic';
