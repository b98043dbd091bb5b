import type {
  AvailabilityCache,
  CachedAvailability,
  CacheLookup,
  FillToken,
  SoldOutGuard,
} from '../ports/availability-cache.js';
import type { Clock } from '../ports/clock.js';
import { systemClock } from '../ports/clock.js';

/**
 * An in-process availability cache with TTLs, version-stamped fills and hit/miss counters.
 *
 * Every invalidation takes the next number of a counter and records it for its key; a miss
 * hands out the number of the key's last invalidation as its token, and `set` stores only if
 * that is still the key's last invalidation. The record of invalidations is bounded: when it
 * grows past `maxEntries` it is dropped and replaced by a floor (the current counter, newer than
 * every token handed out before), which costs at most a few refused fills and never a stale one.
 */
export class MemoryAvailabilityCache implements AvailabilityCache {
  readonly scope = 'process' as const;
  private readonly entries = new Map<string, { value: CachedAvailability; expiresAt: number }>();
  private readonly invalidated = new Map<string, number>();
  private sequence = 0;
  private floor = 0;
  private directory = 0;
  /** Counters for tests and metrics (`refused`: fills older than an invalidation). */
  readonly stats = { hits: 0, misses: 0, sets: 0, refused: 0, deletes: 0, clears: 0 };

  constructor(
    private readonly clock: Clock = systemClock,
    private readonly maxEntries = 100_000,
  ) {}

  async get(sku: string): Promise<CacheLookup> {
    const entry = this.entries.get(sku);
    if (!entry || entry.expiresAt <= this.clock.now().getTime()) {
      if (entry) this.entries.delete(sku);
      this.stats.misses += 1;
      return { hit: false, token: String(this.lastInvalidation(sku)) };
    }
    this.stats.hits += 1;
    return { hit: true, value: entry.value };
  }

  async set(value: CachedAvailability, ttlMs: number, token: FillToken): Promise<boolean> {
    if (token !== String(this.lastInvalidation(value.sku))) {
      this.stats.refused += 1;
      return false;
    }
    if (this.entries.size >= this.maxEntries && !this.entries.has(value.sku)) {
      // Evict the oldest insertion; a Map iterates in insertion order.
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(value.sku, { value, expiresAt: this.clock.now().getTime() + ttlMs });
    this.stats.sets += 1;
    return true;
  }

  async delete(skus: readonly string[]): Promise<void> {
    if (skus.length === 0) return;
    this.sequence += 1;
    if (this.invalidated.size + skus.length > this.maxEntries) {
      this.invalidated.clear();
      this.floor = this.sequence;
    }
    for (const sku of skus) {
      this.entries.delete(sku);
      this.invalidated.set(sku, this.sequence);
    }
    this.stats.deletes += 1;
  }

  async clear(): Promise<void> {
    this.sequence += 1;
    this.floor = this.sequence;
    this.invalidated.clear();
    this.entries.clear();
    this.stats.clears += 1;
  }

  /** The number of the key's last invalidation (the floor when not recorded any more). */
  private lastInvalidation(sku: string): number {
    return this.invalidated.get(sku) ?? this.floor;
  }

  async directoryStamp(): Promise<string> {
    return String(this.directory);
  }

  async touchDirectory(): Promise<void> {
    this.directory += 1;
  }
}

/** An in-process sold-out guard with TTLs. */
export class MemorySoldOutGuard implements SoldOutGuard {
  readonly scope = 'process' as const;
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

  async clearAll(): Promise<void> {
    this.marks.clear();
  }
}
