import type { Logger, SoldOutGuard } from '@stockroom/core';
import type { RedisKeys } from './keys.js';
import type { RedisAdapterStats } from './redis-adapter-stats.js';
import type { RedisGateway } from './redis-gateway.js';
import { RepairQueue } from './repair-queue.js';
import { clearSoldOut } from './scripts/clear-sold-out.js';
import { markSoldOut } from './scripts/mark-sold-out.js';

/** What a `RedisSoldOutGuard` needs (built by `createRedisAdapter`). */
export interface RedisSoldOutGuardOptions {
  readonly gateway: RedisGateway;
  readonly keys: RedisKeys;
  readonly stats: RedisAdapterStats;
  readonly logger: Logger;
  /**
   * How long a SKU's fence (the highest version it was replenished at) lives after its last
   * raise: longer than any mark takes to arrive. @default 3600000 (one hour)
   */
  readonly fenceTtlMs?: number;
}

const DEFAULT_FENCE_TTL_MS = 60 * 60 * 1000;

/**
 * The hot-SKU sold-out guard, shared by every instance through Redis: once a commit leaves a
 * SKU with nothing available, `reserve` refuses it without a store round trip until a change
 * that adds availability clears the mark (the core clears it in the same step that invalidates
 * the cache) or the mark's TTL ends.
 *
 * Marks and clears are version-stamped: a clear raises the SKU's fence to the version (the sum of
 * row versions) the restock committed, and a mark carrying the version of the write that emptied
 * the SKU is refused when the fence is at least that high — a mark decided before a restock never
 * lands after it, however late it arrives, and a mark decided after one is kept at once (no time
 * fence). A mark without a version is refused while the SKU has a fence.
 *
 * How long it can refuse stock that exists: a mark lives at most its TTL (the stockroom's
 * `policies.soldOutTtlMs`, 2 s by default). Within that, it outlives the stock's return only
 * when the clear failed (Redis unreachable: the clear is replayed when Redis answers again) or
 * carried no version. Every call may throw `STORE_UNAVAILABLE`; `createStockroom` reads a
 * failure as "not sold out".
 */
export class RedisSoldOutGuard implements SoldOutGuard {
  readonly scope = 'shared' as const;
  private readonly repairs: RepairQueue;

  constructor(private readonly options: RedisSoldOutGuardOptions) {
    this.repairs = new RepairQueue(options.stats.repairs);
    options.gateway.onRecovered(() => {
      // A replay knows no versions: it removes the marks (the fences stay as they were).
      this.repairs
        .replay((skus) => this.unmark(skus, {}))
        .catch((error: unknown) => {
          options.logger.warn({ err: error }, 'replaying sold-out clears failed');
        });
    });
  }

  /** True when the SKU is marked sold out. @throws STORE_UNAVAILABLE */
  async isSoldOut(sku: string): Promise<boolean> {
    const { gateway, keys, stats } = this.options;
    stats.soldOut.checks += 1;
    if (this.repairs.has(sku)) return false;
    const marked = await gateway.call('check sold-out mark', (client) =>
      client.exists(keys.soldOut(sku)),
    );
    if (marked === 1) stats.soldOut.refusals += 1;
    return marked === 1;
  }

  /**
   * Marks a SKU sold out for `ttlMs`, unless it was replenished at `version` or later (see the
   * class). @throws STORE_UNAVAILABLE
   */
  async markSoldOut(sku: string, ttlMs: number, version?: number): Promise<void> {
    const { gateway, keys, stats } = this.options;
    const marked = await gateway.script(
      markSoldOut,
      [keys.soldOut(sku), keys.soldOutFence(sku)],
      [Math.max(1, Math.round(ttlMs)), version === undefined ? '' : version],
    );
    if (marked === 1) stats.soldOut.marks += 1;
    else stats.soldOut.fencedMarks += 1;
  }

  /**
   * Clears the marks of SKUs that gained availability; when Redis is unreachable, remembers them
   * and clears them once it answers. @throws STORE_UNAVAILABLE
   */
  async clear(skus: readonly string[], versions?: Readonly<Record<string, number>>): Promise<void> {
    try {
      await this.unmark(skus, versions ?? {});
    } catch (error) {
      this.repairs.add(skus);
      throw error;
    }
  }

  private async unmark(
    skus: readonly string[],
    versions: Readonly<Record<string, number>>,
  ): Promise<void> {
    const { gateway, keys, stats } = this.options;
    const fenceTtlMs = this.options.fenceTtlMs ?? DEFAULT_FENCE_TTL_MS;
    await Promise.all(
      [...new Set(skus)].map((sku) =>
        gateway.script(
          clearSoldOut,
          [keys.soldOut(sku), keys.soldOutFence(sku)],
          [versions[sku] ?? '', fenceTtlMs],
        ),
      ),
    );
    stats.soldOut.clears += skus.length;
  }
}
