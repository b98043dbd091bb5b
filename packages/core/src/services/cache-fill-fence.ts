/** One cache fill in progress: `isFresh()` tells whether the SKU changed since it began. */
export interface CacheFill {
  isFresh(): boolean;
  end(): void;
}

/**
 * Stops a cache-aside fill from storing a value read before a change that committed while the
 * read was in flight (the read-then-set race of cache-aside). Entries exist only while fills of
 * a SKU are in flight, so memory stays bounded by concurrent reads. Covers changes made through
 * this process; other processes' changes are bounded by the cache TTL (and the Redis adapter's
 * own fence).
 */
export class CacheFillFence {
  private readonly inFlight = new Map<string, { readers: number; generation: number }>();

  /** Marks the start of a fill of `sku`. Call `end()` when done, whatever happened. */
  begin(sku: string): CacheFill {
    const entry = this.inFlight.get(sku) ?? { readers: 0, generation: 0 };
    entry.readers += 1;
    this.inFlight.set(sku, entry);
    const generation = entry.generation;
    let ended = false;
    return {
      isFresh: () => entry.generation === generation,
      end: () => {
        if (ended) return;
        ended = true;
        entry.readers -= 1;
        if (entry.readers === 0 && this.inFlight.get(sku) === entry) this.inFlight.delete(sku);
      },
    };
  }

  /** Called when changes to these SKUs committed: fills in flight for them must not store. */
  invalidate(skus: readonly string[]): void {
    for (const sku of skus) {
      const entry = this.inFlight.get(sku);
      if (entry) entry.generation += 1;
    }
  }
}
