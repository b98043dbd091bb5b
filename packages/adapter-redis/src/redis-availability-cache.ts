import { randomUUID } from 'node:crypto';
import type { AvailabilityCache, Logger } from '@stockroom/core';
import {
  availabilityVersion,
  type CachedAvailability,
  type CacheLookup,
  type FillToken,
} from '@stockroom/core/adapter-kit';
import type { RedisKeys } from './keys.js';
import type { RedisAdapterStats } from './redis-adapter-stats.js';
import type { RedisClient, RedisGateway } from './redis-gateway.js';
import { RepairQueue } from './repair-queue.js';
import { deleteAvailability } from './scripts/delete-availability.js';
import { getAvailability } from './scripts/get-availability.js';
import { markPending } from './scripts/mark-pending.js';
import { refillAvailability } from './scripts/refill-availability.js';
import { setAvailability } from './scripts/set-availability.js';

/** What a `RedisAvailabilityCache` needs (built by `createRedisAdapter`). */
export interface RedisAvailabilityCacheOptions {
  readonly gateway: RedisGateway;
  readonly keys: RedisKeys;
  readonly stats: RedisAdapterStats;
  readonly logger: Logger;
  /** Overrides the TTL callers pass to `set`. */
  readonly ttlMs?: number;
  /**
   * How long a SKU's invalidation stamp and known version live after their last change: longer
   * than any fill or write-through takes to arrive (a fill older than this could be stored once
   * the stamp is gone).
   * @default 3600000 (one hour)
   */
  readonly stampTtlMs?: number;
  /** Called by `close()`. */
  readonly onClose?: () => Promise<void>;
}

const DEFAULT_STAMP_TTL_MS = 60 * 60 * 1000;

/**
 * Per-SKU availability in Redis, shared by every process: `get` on a check, `set` after a store
 * read, `refill` (write-through) right after every committed change whose rows the writer holds,
 * `delete` after the others (the core calls them). Every call may throw `STORE_UNAVAILABLE`;
 * `createStockroom` wraps the cache so that a failure is a miss.
 *
 * Version-stamped fills keep stale values out: every invalidation gives the SKU a new unique
 * stamp, a miss hands out the stamp it saw, and the fill script stores the value only if the
 * stamp is unchanged (compared inside Redis, atomically). A fill that raced a change is
 * refused; a fill that began after the last change is kept, however often the SKU is written.
 * A write-through replaces the entry with the committed value, unless a value at least as new is
 * known (compared on the sum of row versions, inside the script): a hot SKU stays cached while it
 * is written. An invalidation or write-through that failed while Redis was unreachable is
 * replayed as an invalidation as soon as Redis answers again (and before this process serves
 * that SKU from the cache).
 */
export class RedisAvailabilityCache implements AvailabilityCache {
  readonly scope = 'shared' as const;
  private readonly repairs: RepairQueue;
  private readonly stampTtlMs: number;
  private directoryRepair = false;

  constructor(private readonly options: RedisAvailabilityCacheOptions) {
    this.repairs = new RepairQueue(options.stats.repairs);
    this.stampTtlMs = options.stampTtlMs ?? DEFAULT_STAMP_TTL_MS;
    options.gateway.onRecovered(() => {
      this.repairs
        .replay((skus) => this.invalidate(skus))
        .then(() => (this.directoryRepair ? this.touchDirectory() : undefined))
        .catch((error: unknown) => {
          options.logger.warn({ err: error }, 'replaying availability invalidations failed');
        });
    });
  }

  /** The cached value, or a miss with its fill token. @throws STORE_UNAVAILABLE */
  async get(sku: string): Promise<CacheLookup> {
    const { gateway, keys, stats } = this.options;
    if (this.repairs.has(sku)) {
      await this.invalidate([sku]);
      this.repairs.forget(sku);
    }
    // One script: whether a write is pending and the entry are read atomically (a write that
    // commits between two separate reads could otherwise be missed).
    const answer = (await gateway.script(
      getAvailability,
      [keys.availability(sku), keys.availabilityStamp(sku), keys.availabilityPending(sku)],
      [randomUUID(), this.stampTtlMs],
    )) as [number, string];
    if (answer[0] === 1) {
      stats.cache.hits += 1;
      return { hit: true, value: JSON.parse(answer[1]) as CachedAvailability };
    }
    stats.cache.misses += 1;
    if (answer[0] === 2) {
      stats.cache.pendingMisses += 1;
      return { hit: false, token: answer[1], pending: true };
    }
    return { hit: false, token: answer[1] };
  }

  /**
   * Caches a value for `ttlMs` (or the configured TTL), only if the SKU was not invalidated since
   * the miss that handed out `token`. @throws STORE_UNAVAILABLE
   */
  async set(value: CachedAvailability, ttlMs: number, token: FillToken): Promise<boolean> {
    const { gateway, stats } = this.options;
    const ttl = Math.max(1, Math.round(this.options.ttlMs ?? ttlMs));
    const stored = await gateway.script(setAvailability, this.keysOf(value.sku).slice(0, 3), [
      JSON.stringify({ sku: value.sku, rows: value.rows }),
      ttl,
      token,
      availabilityVersion(value),
      this.stampTtlMs,
    ]);
    if (stored === 1) stats.cache.sets += 1;
    else stats.cache.refusedSets += 1;
    return stored === 1;
  }

  /**
   * Writes committed values through (see refill-availability). When Redis is unreachable, their
   * SKUs are remembered and invalidated once it answers. @throws STORE_UNAVAILABLE
   */
  async refill(
    values: readonly CachedAvailability[],
    ttlMs: number,
    writer?: string,
  ): Promise<void> {
    const { gateway, stats } = this.options;
    const ttl = Math.max(1, Math.round(this.options.ttlMs ?? ttlMs));
    try {
      const answers = await Promise.all(
        values.map((value) =>
          gateway.script(refillAvailability, this.keysOf(value.sku), [
            JSON.stringify({ sku: value.sku, rows: value.rows }),
            ttl,
            randomUUID(),
            this.stampTtlMs,
            availabilityVersion(value),
            writer ?? '',
          ]),
        ),
      );
      for (const answer of answers) {
        if (answer === 1) stats.cache.refills += 1;
        else if (answer === 0) stats.cache.staleRefills += 1;
        else stats.cache.deletes += 1;
      }
    } catch (error) {
      this.repairs.add(values.map((value) => value.sku));
      throw error;
    }
  }

  /**
   * Invalidates the given SKUs blind. When Redis is unreachable, the SKUs are remembered and
   * invalidated again once it answers. @throws STORE_UNAVAILABLE
   */
  async delete(skus: readonly string[], writer?: string): Promise<void> {
    try {
      await this.invalidate(skus, writer);
    } catch (error) {
      this.repairs.add(skus);
      throw error;
    }
  }

  /**
   * Invalidates every SKU under the prefix: removes the entries and known versions and replaces
   * every stamp (a miss always leaves a stamp, so every fill in flight is refused). Scans the keyspace (every master
   * of a cluster): meant for maintenance, not for the request path — the core never calls it on
   * a shared cache. @throws STORE_UNAVAILABLE
   */
  async clear(): Promise<void> {
    const { gateway, keys } = this.options;
    const entryPrefix = keys.availability('');
    const entries = entryPrefix.slice(0, entryPrefix.indexOf('{'));
    const stampPrefix = keys.availabilityStamp('');
    const stamps = stampPrefix.slice(0, stampPrefix.indexOf('{'));
    const knownPrefix = keys.availabilityKnown('');
    const known = knownPrefix.slice(0, knownPrefix.indexOf('{'));
    for (const node of nodesOf(gateway.client)) {
      let cursor = '0';
      do {
        const [next, found] = await gateway.call('scan availability', () =>
          node.scan(cursor, 'MATCH', `${keys.prefix}avail*`, 'COUNT', 500),
        );
        cursor = next;
        for (const key of found) {
          if (key.startsWith(stamps)) {
            await gateway.call('clear availability stamp', (client) =>
              client.set(key, randomUUID(), 'PX', this.stampTtlMs),
            );
          } else if (key.startsWith(entries) || key.startsWith(known)) {
            await gateway.call('clear availability', (client) => client.del(key));
          }
        }
      } while (cursor !== '0');
    }
  }

  /** The warehouse directory's stamp (`0` before any change). @throws STORE_UNAVAILABLE */
  async directoryStamp(): Promise<string> {
    const { gateway, keys } = this.options;
    const stamp = await gateway.call('get directory stamp', (client) =>
      client.get(keys.directoryStamp()),
    );
    return stamp ?? '0';
  }

  /**
   * Gives the warehouse directory a new stamp: every process reloads its warehouse list at its
   * next check. Replayed once Redis answers again when it fails. @throws STORE_UNAVAILABLE
   */
  async touchDirectory(): Promise<void> {
    const { gateway, keys } = this.options;
    try {
      // No TTL: an expired stamp would read as `0` again and match a list loaded under `0`.
      await gateway.call('touch directory stamp', (client) =>
        client.set(keys.directoryStamp(), randomUUID()),
      );
      this.directoryRepair = false;
    } catch (error) {
      this.directoryRepair = true;
      throw error;
    }
  }

  /** Runs the close hook `createRedisAdapter` gave (closes a client the adapter created). */
  async close(): Promise<void> {
    await this.options.onClose?.();
  }

  /** The keys of one SKU the fill, write-through and invalidation scripts take (one slot). */
  private keysOf(sku: string): string[] {
    const { keys } = this.options;
    return [
      keys.availability(sku),
      keys.availabilityStamp(sku),
      keys.availabilityKnown(sku),
      keys.availabilityPending(sku),
    ];
  }

  /**
   * Marks writes to these SKUs as about to commit (see mark-pending): until this writer's
   * `refill` or `delete` clears the mark, or `ttlMs` passes, lookups of the SKUs are pending
   * misses in every process. Skipped while Redis is known to be away. @throws STORE_UNAVAILABLE
   */
  async markPending(skus: readonly string[], writer: string, ttlMs: number): Promise<void> {
    const { gateway, keys, stats } = this.options;
    // Taken inside the write's transaction: while Redis is known to be away, do not hold the
    // transaction for a call's timeout (this process's invalidations are queued for replay
    // meanwhile, and its own checks miss).
    if (!gateway.isHealthy) return;
    await Promise.all(
      [...new Set(skus)].map((sku) =>
        gateway.script(markPending, [keys.availabilityPending(sku)], [writer, Math.max(1, ttlMs)]),
      ),
    );
    stats.cache.pendingMarks += skus.length;
  }

  private async invalidate(skus: readonly string[], writer?: string): Promise<void> {
    const { gateway, stats } = this.options;
    // One script per SKU: the keys of different SKUs live in different cluster slots.
    await Promise.all(
      [...new Set(skus)].map((sku) =>
        gateway.script(deleteAvailability, this.keysOf(sku), [
          randomUUID(),
          this.stampTtlMs,
          writer ?? '',
        ]),
      ),
    );
    stats.cache.deletes += skus.length;
  }
}

/** The nodes to scan: the client itself, or every master of a cluster. */
function nodesOf(client: RedisClient): Array<Pick<RedisClient, 'scan'>> {
  if ('nodes' in client && typeof client.nodes === 'function') return client.nodes('master');
  return [client];
}
