// One feature suite, run against a single Redis and against a real 3-node Redis Cluster.
import { createMemoryStockStore, createStockroom, type Lease, ManualClock } from '@stockroom/core';
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import {
  createKeys,
  createRedisAdapter,
  type RedisAdapter,
  type RedisClient,
  withReservationCache,
} from '../src/index.js';
import { deleteKeys, uniquePrefix, waitFor } from './redis-services.js';

/** Where the suite runs. */
export interface RedisSuiteTarget {
  readonly name: string;
  /** The skip reason from `unavailableService`, or false. */
  readonly skip: string | false;
  /** True for a Redis Cluster (adds the slot checks). */
  readonly cluster: boolean;
  /** Starts what is needed and returns a ready client. */
  setUp(): Promise<RedisClient>;
  tearDown(): Promise<void>;
}

interface WorldSettings {
  /** The stockroom's cache TTL. */
  readonly cacheTtlMs?: number;
  /** The adapter's TTL override. */
  readonly adapterCacheTtlMs?: number;
}

/** Registers the cache, sold-out guard, lease and reservation-cache tests for one target. */
export function defineRedisSuite(target: RedisSuiteTarget): void {
  describe.skipIf(target.skip)(target.name, () => {
    const prefix = uniquePrefix(target.cluster ? 'cluster' : 'single');
    let client: RedisClient;
    let worlds = 0;

    beforeAll(async () => {
      client = await target.setUp();
    }, 120_000);

    afterAll(async () => {
      if (client) await deleteKeys(client, prefix);
      await target.tearDown();
    }, 60_000);

    const adapter = (keyPrefix: string, settings: WorldSettings = {}): RedisAdapter => {
      const redis = createRedisAdapter({
        client,
        prefix: keyPrefix,
        // Generous: the machine is shared; the outage test covers the short default.
        commandTimeoutMs: 2000,
        ...(settings.adapterCacheTtlMs === undefined
          ? {}
          : { cacheTtlMs: settings.adapterCacheTtlMs }),
      });
      onTestFinished(() => redis.close());
      return redis;
    };

    const world = async (settings: WorldSettings = {}) => {
      worlds += 1;
      const redis = adapter(`${prefix}${worlds}:`, settings);
      const store = createMemoryStockStore();
      const clock = new ManualClock();
      const stockroom = createStockroom({
        store: withReservationCache(store, { reservationCache: redis.reservationCache, clock }),
        cache: redis.cache,
        soldOutGuard: redis.soldOutGuard,
        clock,
        policies: { cacheTtlMs: settings.cacheTtlMs ?? 60_000, soldOutTtlMs: 30_000 },
      });
      await stockroom.warehouses.create({ id: 'paris', name: 'Paris' });
      const spies = {
        stockBySku: vi.spyOn(store.reads, 'stockBySku'),
        reservationReads: vi.spyOn(store.reads, 'reservation'),
        transactions: vi.spyOn(store, 'transaction'),
      };
      return {
        redis,
        stockroom,
        clock,
        ...spies,
        restock: (sku: string, quantity: number) =>
          stockroom.adjustments.adjust({ sku, warehouseId: 'paris', type: 'RESTOCK', quantity }),
        reserve: (sku: string, quantity: number, ttlSeconds?: number) =>
          stockroom.reservations.reserve({
            items: [{ sku, quantity }],
            ...(ttlSeconds === undefined ? {} : { ttlSeconds }),
          }),
        available: async (sku: string) =>
          (await stockroom.availability.check({ sku, quantity: 1 })).availableQuantity,
        exists: async (key: string) => (await client.exists(key)) === 1,
      };
    };

    describe('availability cache', () => {
      it('serves a check from Redis after the first one', async () => {
        const w = await world();
        await w.restock('A', 10);
        const first = await w.stockroom.availability.check({ sku: 'A', quantity: 4 });
        const second = await w.stockroom.availability.check({ sku: 'A', quantity: 4 });
        expect(first).toEqual({
          sku: 'A',
          requestedQuantity: 4,
          isAvailable: true,
          backorderedQuantity: 0,
          availableQuantity: 10,
          warehouses: [{ warehouseId: 'paris', warehouseName: 'Paris', availableQuantity: 10 }],
          rowVersions: { paris: 1 },
        });
        expect(second).toEqual(first);
        expect(w.stockBySku).toHaveBeenCalledTimes(1);
        expect(w.redis.stats.cache).toMatchObject({ hits: 1, misses: 1, sets: 1, refusedSets: 0 });
        expect(w.stockroom.stats.cache).toEqual({ hits: 1, misses: 1, coalesced: 0, errors: 0 });
      });

      it('writes the committed value through right after reserve, commit, release and restock', async () => {
        const w = await world();
        const key = w.redis.keys.availability('A');
        const cached = async () => JSON.parse((await client.get(key)) ?? 'null');
        await w.restock('A', 10);
        // Never checked: the restock only invalidated (no known value to replace).
        expect(await w.exists(key)).toBe(false);
        expect(await w.available('A')).toBe(10);
        expect(await w.exists(key)).toBe(true);

        const sold = await w.reserve('A', 3);
        expect(await cached()).toMatchObject({ rows: [{ available: 7, version: 2 }] });
        expect(await w.available('A')).toBe(7);

        await w.stockroom.reservations.commit(sold.id);
        expect(await cached()).toMatchObject({ rows: [{ available: 7, version: 3 }] });
        const held = await w.reserve('A', 2);
        expect(await cached()).toMatchObject({ rows: [{ available: 5, version: 4 }] });
        expect(await w.available('A')).toBe(5);
        await w.stockroom.reservations.release(held.id);
        expect(await w.available('A')).toBe(7);
        await w.restock('A', 5);
        expect(await w.available('A')).toBe(12);

        // One store read (the first check); every later check was a hit on a written value.
        expect(w.redis.stats.cache).toMatchObject({
          hits: 4,
          misses: 1,
          sets: 1,
          refills: 5,
          staleRefills: 0,
        });
        expect(w.stockBySku).toHaveBeenCalledTimes(1);

        // A blind invalidation (another writer that did not know the rows) drops the entry; the
        // next write-through only invalidates, and the next check reads the store again.
        await w.redis.cache.delete(['A']);
        await w.restock('A', 1);
        expect(await w.exists(key)).toBe(false);
        expect(await w.available('A')).toBe(13);
        expect(w.stockBySku).toHaveBeenCalledTimes(2);
      });

      it('lets an entry expire after its TTL', async () => {
        const w = await world({ cacheTtlMs: 300 });
        const key = w.redis.keys.availability('A');
        await w.restock('A', 4);
        expect(await w.available('A')).toBe(4);
        const ttl = await client.pttl(key);
        expect(ttl).toBeGreaterThan(0);
        expect(ttl).toBeLessThanOrEqual(300);
        expect(await w.available('A')).toBe(4);
        expect(w.redis.stats.cache).toMatchObject({ hits: 1, misses: 1 });

        await waitFor(async () => !(await w.exists(key)), { timeoutMs: 3000, what: 'expiry' });
        expect(await w.available('A')).toBe(4);
        expect(w.redis.stats.cache).toMatchObject({ hits: 1, misses: 2, sets: 2 });
      });

      it("caps entries at the adapter's cacheTtlMs when set", async () => {
        const w = await world({ adapterCacheTtlMs: 150 });
        await w.restock('A', 4);
        await w.available('A');
        const ttl = await client.pttl(w.redis.keys.availability('A'));
        expect(ttl).toBeGreaterThan(0);
        expect(ttl).toBeLessThanOrEqual(150);
      });

      it('refuses a fill that raced an invalidation (a value read before the change)', async () => {
        const w = await world();
        await w.restock('A', 4);

        // A reader misses and reads 4 from the store; a restock commits and invalidates; the
        // reader's fill arrives afterwards.
        const miss = await w.redis.cache.get('A');
        expect(miss.hit).toBe(false);
        const readBeforeRestock = {
          sku: 'A',
          rows: [{ warehouseId: 'paris', available: 4, version: 1 }],
        };
        await w.restock('A', 1);
        const token = miss.hit ? '' : miss.token;
        expect(await w.redis.cache.set(readBeforeRestock, 60_000, token)).toBe(false);
        expect((await w.redis.cache.get('A')).hit).toBe(false);
        expect(w.redis.stats.cache.refusedSets).toBe(1);

        // No fence to wait for: the next check's fill is kept.
        expect(await w.available('A')).toBe(5);
        expect(await w.available('A')).toBe(5);
        expect(w.redis.stats.cache).toMatchObject({ sets: 1, refusedSets: 1, hits: 1 });
      });

      it('a pending mark makes lookups misses until its writer clears it, or it expires', async () => {
        const w = await world();
        const cache = w.redis.cache;
        await w.restock('A', 4);
        expect(await w.available('A')).toBe(4);
        await cache.markPending(['A'], 'writer-1', 60_000);
        await cache.markPending(['A'], 'writer-2', 300);
        expect(await cache.get('A')).toMatchObject({ hit: false, pending: true });
        // Writer 1 commits and writes its value through: writer 2 is still pending.
        await cache.refill(
          [{ sku: 'A', rows: [{ warehouseId: 'paris', available: 5, version: 2 }] }],
          60_000,
          'writer-1',
        );
        expect(await cache.get('A')).toMatchObject({ hit: false, pending: true });
        // Writer 2 died before its cache update: its mark expires and the entry is served again.
        await waitFor(async () => (await cache.get('A')).hit, { what: 'the mark to expire' });
        expect(await cache.get('A')).toMatchObject({
          hit: true,
          value: { rows: [{ available: 5 }] },
        });
        expect(w.redis.stats.cache.pendingMisses).toBeGreaterThanOrEqual(2);
      });

      it('checks right after a write are hits: the write put its value in the cache', async () => {
        const w = await world();
        await w.restock('A', 4);
        expect(await w.available('A')).toBe(4);
        for (let round = 1; round <= 5; round += 1) {
          await w.restock('A', 1);
          const answers = [];
          for (let check = 0; check < 3; check += 1) answers.push(await w.available('A'));
          expect(answers).toEqual([4 + round, 4 + round, 4 + round]);
        }
        // One miss (the first fill), then every check after every write is a hit.
        expect(w.stockroom.stats.cache).toMatchObject({ misses: 1, hits: 15, errors: 0 });
        expect(w.redis.stats.cache).toMatchObject({ sets: 1, refusedSets: 0, refills: 5 });
      });
    });

    describe('sold-out guard', () => {
      it('refuses a sold-out SKU without touching the store; a restock clears it at once', async () => {
        const w = await world();
        const mark = w.redis.keys.soldOut('A');
        await w.restock('A', 3);
        for (let index = 0; index < 3; index += 1) await w.reserve('A', 1);
        expect(await w.exists(mark)).toBe(true);
        const ttl = await client.pttl(mark);
        expect(ttl).toBeGreaterThan(0);
        expect(ttl).toBeLessThanOrEqual(30_000);

        const transactions = w.transactions.mock.calls.length;
        await expect(w.reserve('A', 2)).rejects.toMatchObject({
          code: 'INSUFFICIENT_STOCK',
          shortfalls: [{ sku: 'A', requested: 2, available: 0 }],
        });
        expect(w.transactions).toHaveBeenCalledTimes(transactions);
        expect(w.stockroom.stats.soldOutRefusals).toBe(1);
        expect(w.redis.stats.soldOut.refusals).toBe(1);

        await w.restock('A', 2);
        expect(await w.exists(mark)).toBe(false);
        const held = await w.reserve('A', 2);
        expect(held.status).toBe('ACTIVE');
        expect(w.stockroom.stats.soldOutRefusals).toBe(1);
        expect(w.redis.stats.soldOut).toMatchObject({ refusals: 1, marks: 2, fencedMarks: 0 });
      });

      it('clears the mark on every change that adds availability (release)', async () => {
        const w = await world();
        await w.restock('B', 1);
        const held = await w.reserve('B', 1);
        expect(await w.redis.soldOutGuard.isSoldOut('B')).toBe(true);
        await w.stockroom.reservations.release(held.id);
        expect(await w.redis.soldOutGuard.isSoldOut('B')).toBe(false);
        expect((await w.reserve('B', 1)).status).toBe('ACTIVE');
      });

      it('refuses a mark decided before a restock, whenever it arrives; keeps a later one at once', async () => {
        const w = await world();
        const guard = w.redis.soldOutGuard;
        await guard.clear(['A'], { A: 5 }); // a restock committed at version 5
        await guard.markSoldOut('A', 30_000, 4); // decided by a commit before that restock
        expect(await guard.isSoldOut('A')).toBe(false);
        await guard.markSoldOut('A', 30_000, 5);
        expect(await guard.isSoldOut('A')).toBe(false);
        expect(w.redis.stats.soldOut.fencedMarks).toBe(2);
        // An older clear arriving late does not lower the fence.
        await guard.clear(['A'], { A: 3 });
        await guard.markSoldOut('A', 30_000, 4);
        expect(await guard.isSoldOut('A')).toBe(false);
        // A mark decided after the restock lands at once: no time fence.
        await guard.markSoldOut('A', 30_000, 6);
        expect(await guard.isSoldOut('A')).toBe(true);
        expect(w.redis.stats.soldOut.fencedMarks).toBe(3);
      });
    });

    describe('job lease', () => {
      it('gives a lease to exactly one of two contenders', async () => {
        const keyPrefix = `${prefix}lease-${++worlds}:`;
        const [one, two] = [adapter(keyPrefix), adapter(keyPrefix)];
        const leases = await Promise.all([
          one.jobLease.acquire('expiry', 10_000),
          two.jobLease.acquire('expiry', 10_000),
        ]);
        const held = leases.filter((lease): lease is Lease => lease !== null);
        expect(held).toHaveLength(1);
        const winner = held[0]!;
        const key = one.keys.lease('expiry');
        expect(await client.get(key)).toBe(winner.token);
        expect(one.stats.leases.acquired + two.stats.leases.acquired).toBe(1);
        expect(one.stats.leases.contended + two.stats.leases.contended).toBe(1);

        expect(await winner.renew(10_000)).toBe(true);
        await winner.release();
        expect(await client.exists(key)).toBe(0);
        expect(await two.jobLease.acquire('expiry', 10_000)).not.toBeNull();
      });

      it("lets the other instance take over after the winner's crash, once the TTL ends", async () => {
        const keyPrefix = `${prefix}lease-${++worlds}:`;
        const [crashed, survivor] = [adapter(keyPrefix), adapter(keyPrefix)];
        const ttlMs = 400;
        const sentAt = Date.now();
        const winner = await crashed.jobLease.acquire('relay', ttlMs);
        expect(winner).not.toBeNull();
        // The winner "crashes": it never renews nor releases.
        let refusals = 0;
        let taken: Lease | null = null;
        await waitFor(
          async () => {
            taken = await survivor.jobLease.acquire('relay', 10_000);
            if (taken === null) refusals += 1;
            return taken !== null;
          },
          { timeoutMs: 5000, intervalMs: 25, what: 'the takeover' },
        );
        expect(Date.now() - sentAt).toBeGreaterThanOrEqual(ttlMs);
        expect(refusals).toBeGreaterThan(0);
        const successor = taken as Lease | null;
        const key = survivor.keys.lease('relay');
        expect(await client.get(key)).toBe(successor?.token);

        // Back from the dead, the old holder can neither extend nor drop the new lease.
        expect(await winner!.renew(10_000)).toBe(false);
        await winner!.release();
        expect(await client.get(key)).toBe(successor?.token);
        expect(crashed.stats.leases).toMatchObject({ acquired: 1, lost: 1, released: 0 });
      });
    });

    describe('active reservations cache', () => {
      it('serves active reservations from Redis and evicts them on commit, release and expiry', async () => {
        const w = await world();
        const reservations = w.stockroom.reservations;
        const cached = async (id: string) =>
          (await client.hexists(w.redis.keys.reservation(id), 'd')) === 1;
        await w.restock('A', 10);

        const sold = await w.reserve('A', 2);
        expect(await cached(sold.id)).toBe(true);
        expect(await reservations.get(sold.id)).toEqual(sold);
        expect(w.reservationReads).not.toHaveBeenCalled();
        const committed = await reservations.commit(sold.id);
        expect(await cached(sold.id)).toBe(false);
        expect(await reservations.get(sold.id)).toEqual(committed);
        expect(w.reservationReads).toHaveBeenCalledTimes(1);

        const held = await w.reserve('A', 1);
        const released = await reservations.release(held.id);
        expect(await cached(held.id)).toBe(false);
        expect(await reservations.get(held.id)).toEqual(released);

        const expiring = await w.reserve('A', 1, 60);
        expect(await reservations.get(expiring.id)).toEqual(expiring);
        w.clock.advance(61_000);
        expect(await reservations.expireDue()).toBe(1);
        expect(await cached(expiring.id)).toBe(false);
        expect(await reservations.get(expiring.id)).toMatchObject({ status: 'EXPIRED' });

        const extended = await reservations.extend((await w.reserve('A', 1)).id, 120);
        const calls = w.reservationReads.mock.calls.length;
        expect(await reservations.get(extended.id)).toEqual(extended);
        expect(w.reservationReads).toHaveBeenCalledTimes(calls);
        expect(w.redis.stats.reservations).toMatchObject({ evictions: 3, staleWrites: 0 });
      });

      it('fills the cache on a read and never puts back an older copy', async () => {
        const w = await world();
        await w.restock('A', 10);
        const held = await w.reserve('A', 1);
        await client.del(w.redis.keys.reservation(held.id));

        expect(await w.stockroom.reservations.get(held.id)).toEqual(held);
        expect(await w.stockroom.reservations.get(held.id)).toEqual(held);
        expect(w.reservationReads).toHaveBeenCalledTimes(1);

        await w.stockroom.reservations.commit(held.id);
        // A fill that read the ACTIVE copy before the commit arrives late.
        await w.redis.reservationCache.set(held, 60_000);
        expect(await w.redis.reservationCache.get(held.id)).toBeUndefined();
        expect(w.redis.stats.reservations.staleWrites).toBe(1);
      });
    });

    if (!target.cluster) return;

    describe('cluster slots', () => {
      it('keeps every key of one SKU in one slot, whatever the SKU holds', async () => {
        const keys = createKeys(prefix);
        const slotOf = (key: string) => client.cluster('KEYSLOT', key);
        const slotsBySku = new Map<string, number>();
        for (const sku of ['A', 'sku}{x', '}', '{', '%7B']) {
          const slots = await Promise.all(
            [
              keys.availability(sku),
              keys.availabilityStamp(sku),
              keys.availabilityKnown(sku),
              keys.soldOut(sku),
              keys.soldOutFence(sku),
            ].map(slotOf),
          );
          expect(new Set(slots).size).toBe(1);
          slotsBySku.set(sku, slots[0]!);
        }
        // Different SKUs spread over the slots (these five land in at least two).
        expect(new Set(slotsBySku.values()).size).toBeGreaterThan(1);
      });
    });
  });
}
