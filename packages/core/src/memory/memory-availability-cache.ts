import type {
  AvailabilityCache,
  CachedAvailability,
  SoldOutGuard,
} from '../ports/availability-cache.js';
import type { Clock } from '../ports/clock.js';
import { systemClock } from '../ports/clock.js';

/** An in-process availability cache with TTLs and hit/miss counters. */
export class MemoryAvailabilityCache implements AvailabilityCache {
  private readonly entries = new Map<string, { value: CachedAvailability; expiresAt: number }>();
  /** Counters for tests and metrics. */
  readonly stats = { hits: 0, misses: 0, sets: 0, deletes: 0 };

  constructor(
    private readonly clock: Clock = systemClock,
    private readonly maxEntries = 100_000,
  ) {}

  async get(sku: string): Promise<CachedAvailability | undefined> {
    const entry = this.entries.get(sku);
    if (!entry || entry.expiresAt <= this.clock.now().getTime()) {
      if (entry) this.entries.delete(sku);
      this.stats.misses += 1;
      return undefined;
    }
    this.stats.hits += 1;
    return entry.value;
  }

  async set(value: CachedAvailability, ttlMs: number): Promise<void> {
    if (this.entries.size >= this.maxEntries && !this.entries.has(value.sku)) {
      // Evict the oldest insertion; a Map iterates in insertion order.
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(value.sku, { value, expiresAt: this.clock.now().getTime() + ttlMs });
    this.stats.sets += 1;
  }

  async delete(skus: readonly string[]): Promise<void> {
    for (const sku of skus) this.entries.delete(sku);
    this.stats.deletes += 1;
  }
}

/** An in-process sold-out guard with TTLs. */
export class MemorySoldOutGuard implements SoldOutGuard {
  private readonly marks = new Map<string, number>();

  constructor(private readonly clock: Clock = systemClock) {}

  async isSoldOut(sku: string): Promise<boolean> {
    const until = this.marks.get(sku);
    if (until === undefined) return false;
    if (until <= this.clock.now().getTime()) {
      this.marks.delete(sku);
      return false;
    }
    return true;
  }

  async markSoldOut(sku: string, ttlMs: number): Promise<void> {
    this.marks.set(sku, this.clock.now().getTime() + ttlMs);
  }

  async clear(skus: readonly string[]): Promise<void> {
    for (const sku of skus) this.marks.delete(sku);
  }
}
