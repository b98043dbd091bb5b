/** How one reservation request ended. */
export type ReserveOutcome =
  /** Units held. */
  | 'admitted'
  /** Refused for lack of stock (INSUFFICIENT_STOCK). */
  | 'refused'
  /** Refused because concurrent writers kept winning (retry budget spent) — not for lack of stock. */
  | 'conflict';

/** Retry and batching counters, as totals since the target was created. */
export interface TargetCounters {
  readonly retries: number;
  readonly conflicts: number;
  readonly batches?: {
    readonly count: number;
    readonly requests: number;
    readonly largest: number;
  };
}

/**
 * Something that reserves units of one SKU: the library on a store, the raw SQL loops, or the
 * naive design. The hot-SKU scenarios drive every kind through this.
 */
export interface ReservationTarget {
  /** Creates the SKU's stock row with `units` available (one warehouse). */
  seed(sku: string, units: number): Promise<void>;
  /** Reserves `quantity` units of the SKU for one caller. Unexpected errors throw. */
  reserve(sku: string, quantity: number): Promise<ReserveOutcome>;
  /** The SKU's available and reserved units, read from the source of truth. */
  stock(sku: string): Promise<{ readonly available: number; readonly reserved: number }>;
  /** Totals since creation. */
  counters(): TargetCounters;
  /** Ledger replay and holds: the problems found (empty when every invariant holds). */
  verifyLedger(): Promise<string[]>;
  /** Releases everything the target created (pools, schemas, files). */
  close(): Promise<void>;
}

/** The counters accumulated between two snapshots. */
export function counterDelta(after: TargetCounters, before: TargetCounters): TargetCounters {
  const batches =
    after.batches && before.batches
      ? {
          count: after.batches.count - before.batches.count,
          requests: after.batches.requests - before.batches.requests,
          largest: after.batches.largest,
        }
      : undefined;
  return {
    retries: after.retries - before.retries,
    conflicts: after.conflicts - before.conflicts,
    ...(batches ? { batches } : {}),
  };
}
