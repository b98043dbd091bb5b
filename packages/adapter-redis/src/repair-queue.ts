import type { RedisAdapterStats } from './redis-adapter-stats.js';

/**
 * SKUs whose invalidation (or sold-out clear) failed while Redis was away. Redis may come back
 * with the old entry still there (a network partition, not a restart), so the adapter replays
 * these as soon as Redis answers again instead of serving the stale entry until its TTL ends.
 * Bounded: past `limit` SKUs, new ones are dropped and counted (their entries then live out
 * their TTL).
 */
export class RepairQueue {
  private readonly skus = new Set<string>();

  constructor(
    private readonly stats: RedisAdapterStats['repairs'],
    private readonly limit = 100_000,
  ) {}

  /** Remembers SKUs to repair. */
  add(skus: readonly string[]): void {
    for (const sku of skus) {
      if (this.skus.has(sku)) continue;
      if (this.skus.size >= this.limit) {
        this.stats.dropped += 1;
        continue;
      }
      this.skus.add(sku);
      this.stats.queued += 1;
    }
  }

  /** True when the SKU waits for a repair. */
  has(sku: string): boolean {
    return this.skus.has(sku);
  }

  /** How many SKUs wait. */
  get size(): number {
    return this.skus.size;
  }

  /**
   * Runs `repair` over the waiting SKUs; those it repaired leave the queue, the others stay for
   * the next recovery.
   */
  async replay(repair: (skus: readonly string[]) => Promise<void>): Promise<void> {
    const skus = [...this.skus];
    if (skus.length === 0) return;
    await repair(skus);
    for (const sku of skus) this.skus.delete(sku);
    this.stats.replayed += skus.length;
  }

  /** Forgets one SKU (repaired on its own path). */
  forget(sku: string): void {
    this.skus.delete(sku);
  }
}
