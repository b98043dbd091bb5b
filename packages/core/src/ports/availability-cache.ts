/** What the availability cache keeps per SKU: each row's available units. */
export interface CachedAvailability {
  readonly sku: string;
  readonly rows: ReadonlyArray<{ readonly warehouseId: string; readonly available: number }>;
}

/**
 * A cache of per-SKU availability (cache-aside). Never the source of truth: a reservation
 * always decides against the store. Implementations may throw; the core wraps every cache in
 * `resilientCache`, which logs and counts failures and treats them as misses.
 */
export interface AvailabilityCache {
  /** The cached value, or undefined on a miss. */
  get(sku: string): Promise<CachedAvailability | undefined>;
  /** Stores a value for `ttlMs` milliseconds. */
  set(value: CachedAvailability, ttlMs: number): Promise<void>;
  /** Forgets the given SKUs (called right after every committed change to them). */
  delete(skus: readonly string[]): Promise<void>;
  /** Releases connections the cache created. Idempotent. */
  close?(): Promise<void>;
}

/**
 * Remembers SKUs known to have nothing available, so a flash-sale crowd is refused without a
 * store round trip. A mark lives at most `ttlMs`, which bounds how long a missed clear could
 * refuse stock that exists. Failures are treated as "not sold out".
 */
export interface SoldOutGuard {
  /** True when the SKU is marked sold out. */
  isSoldOut(sku: string): Promise<boolean>;
  /** Marks a SKU sold out for `ttlMs`. */
  markSoldOut(sku: string, ttlMs: number): Promise<void>;
  /** Clears the marks of SKUs that gained availability. */
  clear(skus: readonly string[]): Promise<void>;
}
