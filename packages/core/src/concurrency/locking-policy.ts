/** How a SKU's rows are protected: version compare-and-set, or row locks taken up front. */
export type LockingMode = 'optimistic' | 'pessimistic';

/**
 * Chooses the locking mode per SKU (high-value SKUs may want `pessimistic`).
 * @default every SKU optimistic
 */
export type LockingPolicy = (sku: string) => LockingMode;

/** The default: optimistic everywhere. */
export const optimisticEverywhere: LockingPolicy = () => 'optimistic';
