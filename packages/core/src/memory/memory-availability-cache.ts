import {
  type AvailabilityCache,
  availabilityVersion,
  type CachedAvailability,
  type CacheLookup,
  type FillToken,
  type SoldOutGuard,
} from '../ports/availability-cache.js';
import type { Clock } from '../ports/clock.js';
import { systemClock } from '../ports/clock.js';

/**
 * An in-process availability cache with TTLs, version-stamped fills, write-through at commit
 * and hit/miss counters.
 *
 * Every invalidation takes the next number of a counter and records it for its key; a miss
 * hands out the number of the key's last invalidation as its token, and `set` stores only if
 * that is still the key's last invalidation. Each key also remembers the highest value version
 * stored or refilled since its last blind invalidation (`known`): older fills and refills are
 * ignored, and a refill replaces the entry only when that version is known. Both records are
 * bounded: past `maxEntries` they are dropped and replaced by a floor (the current counter, newer
 * than every token handed out before; every key's version unknown), which costs a few refused
 * fills and refills and never a stale one.
 */
export class MemoryAvailabilityCache implements AvailabilityCache {
  readonly scope = 'process' as const;
  private readonly entries = new Map<string, { value: CachedAvailability; expiresAt: number }>();
  private readonly invalidated = new Map<string, number>();
  private readonly known = new Map<string, number>();
  private sequence = 0;
  private floor = 0;
  private directory = 0;
  /**
   * Counters for tests and metrics (`refused`: fills older than an invalidation; `refills`:
   * values written through at commit; `staleRefills`: refills older than the known value).
   */
  readonly stats = {
    hits: 0,
    misses: 0,
    sets: 0,
    refused: 0,
    refills: 0,
    staleRefills: 0,
    deletes: 0,
    clears: 0,
  };

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
    const version = availabilityVersion(value);
    const known = this.known.get(value.sku);
    if (token !== String(this.lastInvalidation(value.sku)) || (known ?? -1) > version) {
      this.stats.refused += 1;
      return false;
    }
    this.store(value, ttlMs, version);
    this.stats.sets += 1;
    return true;
  }

  async refill(values: readonly CachedAvailability[], ttlMs: number): Promise<void> {
    for (const value of values) {
      const version = availabilityVersion(value);
      const known = this.known.get(value.sku);
      if (known !== undefined && known >= version) {
        this.stats.staleRefills += 1;
        continue;
      }
      this.invalidate(value.sku);
      if (known === undefined) continue;
      this.store(value, ttlMs, version);
      this.stats.refills += 1;
    }
  }

  async delete(skus: readonly string[]): Promise<void> {
    if (skus.length === 0) return;
    for (const sku of skus) {
      this.invalidate(sku);
      this.known.delete(sku);
    }
    this.stats.deletes += 1;
  }

  async clear(): Promise<void> {
    this.sequence += 1;
    this.floor = this.sequence;
    this.invalidated.clear();
    this.known.clear();
    this.entries.clear();
    this.stats.clears += 1;
  }

  /** The number of the key's last invalidation (the floor when not recorded any more). */
  private lastInvalidation(sku: string): number {
    return this.invalidated.get(sku) ?? this.floor;
  }

  /** Drops the entry and refuses the fills in flight for the key. */
  private invalidate(sku: string): void {
    this.sequence += 1;
    if (this.invalidated.size >= this.maxEntries && !this.invalidated.has(sku)) {
      this.invalidated.clear();
      this.floor = this.sequence;
    }
    this.entries.delete(sku);
    this.invalidated.set(sku, this.sequence);
  }

  private store(value: CachedAvailability, ttlMs: number, version: number): void {
    if (this.entries.size >= this.maxEntries && !this.entries.has(value.sku)) {
      // Evict the oldest insertion; a Map iterates in insertion order.
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    if (this.known.size >= this.maxEntries && !this.known.has(value.sku)) this.known.clear();
    this.entries.set(value.sku, { value, expiresAt: this.clock.now().getTime() + ttlMs });
    this.known.set(value.sku, version);
  }

  async directoryStamp(): Promise<string> {
    return String(this.directory);
  }

  async touchDirectory(): Promise<void> {
    this.directory += 1;
  }
}

/**
 * An in-process sold-out guard with TTLs. A mark carrying a version is refused when a clear of
 * the same or a newer version came first (the highest cleared version per SKU is remembered,
 * bounded by `maxEntries`: past it the record is dropped, which can only let a late mark in, and
 * a mark lives at most its TTL).
 */
export class MemorySoldOutGuard implements SoldOutGuard {
  readonly scope = 'process' as const;
  private readonly marks = new Map<string, number>();
  private readonly cleared = new Map<string, number>();

  constructor(
    private readonly clock: Clock = systemClock,
    private readonly maxEntries = 100_000,
  ) {}

  async isSoldOut(sku: string): Promise<boolean> {
    const until = this.marks.get(sku);
    if (until === undefined) return false;
    if (until <= this.clock.now().getTime()) {
      this.marks.delete(sku);
      return false;
    }
    return true;
  }

  async markSoldOut(sku: string, ttlMs: number, version?: number): Promise<void> {
    const cleared = this.cleared.get(sku);
    if (version !== undefined && cleared !== undefined && cleared >= version) return;
    this.marks.set(sku, this.clock.now().getTime() + ttlMs);
  }

  async clear(skus: readonly string[], versions?: Readonly<Record<string, number>>): Promise<void> {
    for (const sku of skus) {
      this.marks.delete(sku);
      const version = versions?.[sku];
      if (version === undefined || (this.cleared.get(sku) ?? -1) >= version) continue;
      if (this.cleared.size >= this.maxEntries && !this.cleared.has(sku)) this.cleared.clear();
      this.cleared.set(sku, version);
    }
  }

  async clearAll(): Promise<void> {
    this.marks.clear();
  }
}
