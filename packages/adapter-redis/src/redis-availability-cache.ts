import type { AvailabilityCache, CachedAvailability, Logger } from '@stockroom/core';
import type { RedisKeys } from './keys.js';
import type { RedisAdapterStats } from './redis-adapter-stats.js';
import type { RedisGateway } from './redis-gateway.js';
import { RepairQueue } from './repair-queue.js';
import { deleteAvailability } from './scripts/delete-availability.js';
import { setAvailability } from './scripts/set-availability.js';

/** What a `RedisAvailabilityCache` needs (built by `createRedisAdapter`). */
export interface RedisAvailabilityCacheOptions {
  readonly gateway: RedisGateway;
  readonly keys: RedisKeys;
  readonly stats: RedisAdapterStats;
  readonly logger: Logger;
  /** Overrides the TTL callers pass to `set`. */
  readonly ttlMs?: number;
  /** How long after an invalidation fills are refused (0: never). */
  readonly fenceMs: number;
  /** Called by `close()`. */
  readonly onClose?: () => Promise<void>;
}

/**
 * Per-SKU availability in Redis, cache-aside: `get` on a check, `set` after a store read,
 * `delete` right after every committed change to the SKU (the core calls it). Every call may
 * throw `STORE_UNAVAILABLE`; `createStockroom` wraps the cache so that a failure is a miss.
 *
 * Two things keep stale values out: a fill within `fenceMs` of an invalidation is refused (it
 * may carry a value read before the change), and an invalidation that failed while Redis was
 * unreachable is replayed as soon as Redis answers again (and before this process serves that
 * SKU from the cache).
 */
export class RedisAvailabilityCache implements AvailabilityCache {
  private readonly repairs: RepairQueue;

  constructor(private readonly options: RedisAvailabilityCacheOptions) {
    this.repairs = new RepairQueue(options.stats.repairs);
    options.gateway.onRecovered(() => {
      // No fence on a replay: the changes are past, and no fill can have read before them.
      this.repairs
        .replay((skus) => this.invalidate(skus, 0))
        .catch((error: unknown) => {
          options.logger.warn({ err: error }, 'replaying availability invalidations failed');
        });
    });
  }

  /** The cached value, or undefined on a miss. @throws STORE_UNAVAILABLE */
  async get(sku: string): Promise<CachedAvailability | undefined> {
    const { gateway, keys, stats } = this.options;
    if (this.repairs.has(sku)) {
      await this.invalidate([sku], 0);
      this.repairs.forget(sku);
      stats.cache.misses += 1;
      return undefined;
    }
    const text = await gateway.call('get availability', (client) =>
      client.get(keys.availability(sku)),
    );
    if (text === null) {
      stats.cache.misses += 1;
      return undefined;
    }
    stats.cache.hits += 1;
    return JSON.parse(text) as CachedAvailability;
  }

  /** Caches a value for `ttlMs` (or the configured TTL), unless just invalidated. @throws STORE_UNAVAILABLE */
  async set(value: CachedAvailability, ttlMs: number): Promise<void> {
    const { gateway, keys, stats } = this.options;
    const ttl = Math.max(1, Math.round(this.options.ttlMs ?? ttlMs));
    const stored = await gateway.script(
      setAvailability,
      [keys.availability(value.sku), keys.availabilityFence(value.sku)],
      [JSON.stringify({ sku: value.sku, rows: value.rows }), ttl],
    );
    if (stored === 1) stats.cache.sets += 1;
    else stats.cache.fencedSets += 1;
  }

  /**
   * Forgets the given SKUs. When Redis is unreachable, the SKUs are remembered and invalidated
   * again once it answers. @throws STORE_UNAVAILABLE
   */
  async delete(skus: readonly string[]): Promise<void> {
    try {
      await this.invalidate(skus, this.options.fenceMs);
    } catch (error) {
      this.repairs.add(skus);
      throw error;
    }
  }

  /** Runs the close hook `createRedisAdapter` gave (closes a client the adapter created). */
  async close(): Promise<void> {
    await this.options.onClose?.();
  }

  private async invalidate(skus: readonly string[], fenceMs: number): Promise<void> {
    const { gateway, keys, stats } = this.options;
    // One script per SKU: the keys of different SKUs live in different cluster slots.
    await Promise.all(
      [...new Set(skus)].map((sku) =>
        gateway.script(
          deleteAvailability,
          [keys.availability(sku), keys.availabilityFence(sku)],
          [fenceMs],
        ),
      ),
    );
    stats.cache.deletes += skus.length;
  }
}
