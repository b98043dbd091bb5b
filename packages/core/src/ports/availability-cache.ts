/** One stock row in a cached availability value. */
export interface CachedAvailabilityRow {
  readonly warehouseId: string;
  readonly available: number;
  /** The row's `version` when it was read: answers carry it, so staleness can be checked. */
  readonly version: number;
}

/** What the availability cache keeps per SKU: each row's available units and version. */
export interface CachedAvailability {
  readonly sku: string;
  readonly rows: readonly CachedAvailabilityRow[];
}

/**
 * The version of a SKU's value: the sum of its rows' versions. Every committed change to a SKU
 * bumps at least one row's version and never lowers one (rows are never deleted), so of two
 * values holding all the SKU's rows as committed, the newer has the larger version. Caches use it
 * to keep a late write-through or fill from replacing a newer value.
 */
export function availabilityVersion(value: CachedAvailability): number {
  let sum = 0;
  for (const row of value.rows) sum += row.version;
  return sum;
}

/**
 * What a lookup gives: the cached value, or a miss with a fill token. The token records the
 * last invalidation of the key the cache knew when the miss was answered; `set` takes it back and
 * stores the value only if no invalidation of that key happened since.
 */
export type CacheLookup =
  | { readonly hit: true; readonly value: CachedAvailability }
  | {
      readonly hit: false;
      readonly token: FillToken;
      /**
       * A write to the SKU is about to commit (see `markPending`): the entry, if any, may be
       * older than a commit that completed already, so it is not served, and the caller must not
       * share a store read that began before this lookup.
       */
      readonly pending?: boolean;
    };

/**
 * An opaque fill token handed out by a cache miss. Only the cache that issued it interprets
 * it; a token may be any string (a counter, a random stamp).
 */
export type FillToken = string;

/** Whether a cache is shared by every process (Redis) or lives in one process. */
export type CacheScope = 'process' | 'shared';

/**
 * A cache of per-SKU availability (cache-aside) with version-stamped fills. Never the source of
 * truth: a reservation always decides against the store. Implementations may throw; the core
 * wraps every cache in `resilientCache`, which logs and counts failures and treats them as
 * misses.
 *
 * The rule every implementation keeps (DESIGN invariant 8): a fill is stored only when it is at
 * least as new as the last invalidation of its key. A miss hands out a token naming the last
 * invalidation it knew; `set` stores the value only if the key was not invalidated after that.
 * A store read that started after the miss therefore never hides a change whose invalidation
 * came after the miss, and a fill right after a write is kept (no time fence).
 *
 * Writes go through the cache at commit (`refill`): the writer knows every row of the SKUs it
 * changed as committed, so it replaces the entry instead of only dropping it, and the checks
 * after a write keep hitting. Each key remembers the highest value version
 * ({@link availabilityVersion}) stored or refilled since its last blind invalidation (`delete`,
 * `clear`): a refill or fill older than that is ignored, and a refill is stored only when that
 * version is known (a refill after a blind invalidation cannot tell whether a newer write was
 * dropped, so it only invalidates).
 *
 * The contract suite `defineAvailabilityCacheContract` in `@stockroom/core/testing` checks it.
 */
export interface AvailabilityCache {
  /**
   * `shared`: one cache for every process on the store, invalidated by whichever process wrote.
   * `process`: this process only; the core then also drops entries when the store reports
   * commits made by other processes (see `StockStore.changes`), and calls `clear()` when it
   * cannot tell what changed.
   */
  readonly scope: CacheScope;
  /** The cached value, or a miss with the token a later `set` must bring back. */
  get(sku: string): Promise<CacheLookup>;
  /**
   * Stores a value for `ttlMs` milliseconds, only if its key was not invalidated since the miss
   * that issued `token`. @returns whether it was stored
   */
  set(value: CachedAvailability, ttlMs: number, token: FillToken): Promise<boolean>;
  /**
   * Write-through after a commit: each value holds every row of its SKU as the commit left them;
   * `writer` (when the write was marked pending) has its pending marks on these SKUs cleared.
   * Per SKU, atomically: a value not newer than the key's known version is ignored; else fills in
   * flight are refused (as by `delete`) and, when the key's known version was known (the SKU was
   * filled or refilled since its last blind invalidation), the value replaces the entry for
   * `ttlMs`; when it was not, the entry is dropped. SKUs nobody checks thus stay out of the cache.
   */
  refill(values: readonly CachedAvailability[], ttlMs: number, writer?: string): Promise<void>;
  /**
   * Invalidates the given SKUs blind, without their new values (called right after a committed
   * change whose rows the writer does not all know, for a write whose commit failed, and for other
   * processes' commits).
   */
  delete(skus: readonly string[], writer?: string): Promise<void>;
  /**
   * Marks a write to these SKUs as about to commit (called inside the write's transaction, just
   * before COMMIT): until the same `writer`'s `refill` or `delete` clears its mark, or `ttlMs`
   * passes (a writer that crashed), lookups of these SKUs answer a `pending` miss, so no process
   * is served an entry older than a commit that completed before its check. Only a `shared`
   * cache needs it (the core covers its own process's writes itself); the core does not wait for
   * it to fail: a failed mark is logged and the write goes on.
   */
  markPending?(skus: readonly string[], writer: string, ttlMs: number): Promise<void>;
  /** Invalidates every key, including fills in flight (their tokens stop being accepted). */
  clear(): Promise<void>;
  /**
   * The stamp of the warehouse directory: it changes on every `touchDirectory()` (through any
   * process sharing the cache). A process reuses its in-memory warehouse list only while the
   * stamp it loaded the list under is still current.
   */
  directoryStamp(): Promise<string>;
  /** Changes the directory stamp (called right after every committed warehouse change). */
  touchDirectory(): Promise<void>;
  /** Releases connections the cache created. Idempotent. */
  close?(): Promise<void>;
}

/**
 * Remembers SKUs known to have nothing available, so a flash-sale crowd is refused without a
 * store round trip. A mark lives at most `ttlMs`, which bounds how long a missed clear could
 * refuse stock that exists. Failures are treated as "not sold out".
 */
export interface SoldOutGuard {
  /**
   * `process`: marks live in this process only; the core then drops marks of SKUs other
   * processes changed (through the store's change feed) before a mark may refuse a request.
   * @default 'shared'
   */
  readonly scope?: CacheScope;
  /** True when the SKU is marked sold out. */
  isSoldOut(sku: string): Promise<boolean>;
  /**
   * Marks a SKU sold out for `ttlMs`. `version` is the {@link availabilityVersion} of the SKU as
   * the write that emptied it committed it: the mark is refused when a clear with a version at
   * least as high came first (a late mark never hides a later restock). Without a version, a
   * shared guard may refuse the mark.
   */
  markSoldOut(sku: string, ttlMs: number, version?: number): Promise<void>;
  /**
   * Clears the marks of SKUs that gained availability. `versions` gives, per SKU, the version the
   * replenishing write committed; a shared guard remembers it to refuse older marks that arrive
   * late.
   */
  clear(skus: readonly string[], versions?: Readonly<Record<string, number>>): Promise<void>;
  /** Clears every mark (a `process` guard must have it: the core calls it when it cannot tell what changed). */
  clearAll?(): Promise<void>;
}
