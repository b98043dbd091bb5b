/** Counters the adapter keeps, for tests and metrics. Plain numbers, only ever incremented. */
export interface RedisAdapterStats {
  /** Redis calls that failed or timed out (each one was answered without Redis). */
  errors: number;
  /** Times Redis answered again after failures. */
  recoveries: number;
  /** The availability cache. */
  cache: {
    hits: number;
    misses: number;
    sets: number;
    /** Fills refused because the SKU was invalidated after their miss (a possibly stale value). */
    refusedSets: number;
    /** Values written through at commit. */
    refills: number;
    /** Misses answered because a write to the SKU was pending (its entry was not served). */
    pendingMisses: number;
    /** SKUs marked as having a write about to commit. */
    pendingMarks: number;
    /** Write-throughs ignored because a value at least as new was known (late arrivals). */
    staleRefills: number;
    deletes: number;
  };
  /** The sold-out guard. */
  soldOut: {
    checks: number;
    /** Checks that found a mark (each one is a request refused without the store). */
    refusals: number;
    marks: number;
    /** Marks refused because a restock at least as new as the emptying write was recorded. */
    fencedMarks: number;
    clears: number;
  };
  /** The active-reservation cache. */
  reservations: {
    hits: number;
    misses: number;
    writes: number;
    /** Writes skipped because the cache already held that version or a newer one. */
    staleWrites: number;
    evictions: number;
  };
  /** Job leases. */
  leases: {
    acquired: number;
    /** Acquisitions refused because another holder had the lease. */
    contended: number;
    renewed: number;
    /** Renewals that found the lease expired or taken. */
    lost: number;
    released: number;
  };
  /** Invalidations and sold-out clears that failed while Redis was away, replayed on its return. */
  repairs: { queued: number; replayed: number; dropped: number };
}

/** Zeroed counters. */
export function createRedisAdapterStats(): RedisAdapterStats {
  return {
    errors: 0,
    recoveries: 0,
    cache: {
      hits: 0,
      misses: 0,
      sets: 0,
      refusedSets: 0,
      refills: 0,
      pendingMisses: 0,
      pendingMarks: 0,
      staleRefills: 0,
      deletes: 0,
    },
    soldOut: { checks: 0, refusals: 0, marks: 0, fencedMarks: 0, clears: 0 },
    reservations: { hits: 0, misses: 0, writes: 0, staleWrites: 0, evictions: 0 },
    leases: { acquired: 0, contended: 0, renewed: 0, lost: 0, released: 0 },
    repairs: { queued: 0, replayed: 0, dropped: 0 },
  };
}
