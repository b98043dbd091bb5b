import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Stockroom } from '../create-stockroom.js';
import type { CachedAvailability } from '../ports/availability-cache.js';
import {
  type AvailabilityCacheContractOptions,
  type CachePair,
  missToken,
  refillGate,
  TTL,
  truthOf,
  twoStockrooms,
  value,
} from './availability-cache-fixtures.js';

export type { AvailabilityCacheContractOptions, CachePair };

/**
 * The availability-cache contract (DESIGN invariant 8: a cache may make answers faster, never
 * older). Every cache adapter runs it against its real backend:
 *
 * - write-through at commit: a refill replaces a known entry, a late (older) refill is ignored, a
 *   refill after a blind invalidation only invalidates, a refill refuses the fills in flight, a
 *   fill older than the known value is refused; a check right after a write is a hit;
 * - version-stamped fills: a fill whose miss came before an invalidation is refused, a fill
 *   whose miss came after it is kept; invalidating one SKU does not refuse another's fills;
 *   `clear` refuses every fill in flight;
 * - the warehouse directory stamp changes on every touch, through either handle;
 * - two stockrooms on one store, each on its own handle: a write through one is seen by the
 *   next check through the other, also when a fill raced the write, and also by a check made
 *   between the write's COMMIT and its cache update (a shared cache must implement `markPending`);
 * - a generated sequence of writes, checks and fill/write races through both stockrooms, with
 *   the rule checked after every step: every check that starts after a write completed answers
 *   with row versions at least as new as that write.
 */
export function defineAvailabilityCacheContract(
  name: string,
  options: AvailabilityCacheContractOptions,
): void {
  const withPair = async (test: (pair: CachePair) => Promise<void>) => {
    const pair = await options.openPair();
    try {
      await test(pair);
    } finally {
      await pair.close();
    }
  };

  describe(`availability cache contract: ${name}`, () => {
    it('a miss hands out a token; a fill with it is stored and then hit through both handles', () =>
      withPair(async ({ first, second }) => {
        const token = await missToken(first, 'A');
        expect(await first.set(value('A', 5, 1), TTL, token)).toBe(true);
        expect(await first.get('A')).toEqual({ hit: true, value: value('A', 5, 1) });
        expect(await second.get('A')).toEqual({ hit: true, value: value('A', 5, 1) });
      }));

    it('refuses a fill whose miss came before an invalidation, keeps one whose miss came after', () =>
      withPair(async ({ first, second }) => {
        const before = await missToken(first, 'A');
        await second.delete(['A']);
        expect(await first.set(value('A', 5, 1), TTL, before)).toBe(false);
        expect((await second.get('A')).hit).toBe(false);
        const after = await missToken(first, 'A');
        expect(await first.set(value('A', 6, 2), TTL, after)).toBe(true);
        expect(await second.get('A')).toEqual({ hit: true, value: value('A', 6, 2) });
        // The entry is gone at once after the next invalidation.
        await first.delete(['A']);
        expect((await second.get('A')).hit).toBe(false);
      }));

    it('two fills racing: only those whose miss followed the last invalidation land', () =>
      withPair(async ({ first, second }) => {
        const old = await missToken(first, 'A');
        await first.delete(['A']);
        const fresh = await missToken(second, 'A');
        expect(await second.set(value('A', 2, 2), TTL, fresh)).toBe(true);
        expect(await first.set(value('A', 1, 1), TTL, old)).toBe(false);
        expect(await first.get('A')).toEqual({ hit: true, value: value('A', 2, 2) });
      }));

    it("invalidating one SKU does not refuse another SKU's fill", () =>
      withPair(async ({ first, second }) => {
        const token = await missToken(first, 'B');
        await second.delete(['A']);
        expect(await first.set(value('B', 3, 1), TTL, token)).toBe(true);
        expect((await second.get('B')).hit).toBe(true);
      }));

    it('clear drops every entry and refuses every fill in flight', () =>
      withPair(async ({ first, second }) => {
        const tokenA = await missToken(first, 'A');
        expect(await first.set(value('A', 1, 1), TTL, tokenA)).toBe(true);
        const tokenB = await missToken(first, 'B');
        await second.clear();
        expect((await first.get('A')).hit).toBe(false);
        expect(await first.set(value('B', 1, 1), TTL, tokenB)).toBe(false);
        const again = await missToken(first, 'B');
        expect(await first.set(value('B', 2, 2), TTL, again)).toBe(true);
      }));

    it('a refill replaces a known entry at once, through both handles', () =>
      withPair(async ({ first, second }) => {
        const token = await missToken(first, 'A');
        expect(await first.set(value('A', 5, 1), TTL, token)).toBe(true);
        await second.refill([value('A', 4, 2)], TTL);
        expect(await first.get('A')).toEqual({ hit: true, value: value('A', 4, 2) });
        expect(await second.get('A')).toEqual({ hit: true, value: value('A', 4, 2) });
        await first.refill([value('A', 3, 3)], TTL);
        expect(await second.get('A')).toEqual({ hit: true, value: value('A', 3, 3) });
      }));

    it('a late refill older than the known value is ignored', () =>
      withPair(async ({ first, second }) => {
        const token = await missToken(first, 'A');
        expect(await first.set(value('A', 5, 1), TTL, token)).toBe(true);
        await second.refill([value('A', 3, 3)], TTL);
        await first.refill([value('A', 4, 2)], TTL);
        expect(await second.get('A')).toEqual({ hit: true, value: value('A', 3, 3) });
        await first.refill([value('A', 3, 3)], TTL);
        expect(await first.get('A')).toEqual({ hit: true, value: value('A', 3, 3) });
      }));

    it('a refill after a blind invalidation, or of a SKU never filled, only invalidates', () =>
      withPair(async ({ first, second }) => {
        await first.refill([value('C', 9, 1)], TTL);
        expect((await second.get('C')).hit).toBe(false);
        const token = await missToken(first, 'A');
        expect(await first.set(value('A', 5, 1), TTL, token)).toBe(true);
        // A write whose value the writer did not know (blind), then a late refill of an older
        // write: it cannot tell it is older, so it must not be stored.
        await second.delete(['A']);
        await first.refill([value('A', 4, 2)], TTL);
        expect((await second.get('A')).hit).toBe(false);
        // The next fill makes the value known again, and refills are stored from then on.
        const again = await missToken(second, 'A');
        expect(await second.set(value('A', 3, 3), TTL, again)).toBe(true);
        await first.refill([value('A', 2, 4)], TTL);
        expect(await second.get('A')).toEqual({ hit: true, value: value('A', 2, 4) });
      }));

    it('a refill refuses the fills in flight; a fill older than the known value is refused', () =>
      withPair(async ({ first, second }) => {
        const token = await missToken(first, 'A');
        expect(await first.set(value('A', 5, 1), TTL, token)).toBe(true);
        await second.delete(['A']);
        const slow = await missToken(first, 'A');
        const fast = await missToken(second, 'A');
        expect(slow).toBe(fast);
        // Two fills under one token: the one that read after a later commit lands first.
        expect(await second.set(value('A', 3, 3), TTL, fast)).toBe(true);
        expect(await first.set(value('A', 4, 2), TTL, slow)).toBe(false);
        expect(await second.get('A')).toEqual({ hit: true, value: value('A', 3, 3) });
        // A miss, then a write through the cache, then the miss's fill lands: refused.
        await first.delete(['B']);
        const before = await missToken(first, 'B');
        const seed = await missToken(second, 'B');
        expect(await second.set(value('B', 1, 1), TTL, seed)).toBe(true);
        await second.refill([value('B', 2, 2)], TTL);
        expect(await first.set(value('B', 1, 1), TTL, before)).toBe(false);
        expect(await first.get('B')).toEqual({ hit: true, value: value('B', 2, 2) });
      }));

    it('the version of a value with several rows is the sum of its row versions', () =>
      withPair(async ({ first, second }) => {
        const two = (paris: number, oslo: number): CachedAvailability => ({
          sku: 'A',
          rows: [
            { warehouseId: 'oslo', available: oslo, version: oslo },
            { warehouseId: 'paris', available: paris, version: paris },
          ],
        });
        const token = await missToken(first, 'A');
        expect(await first.set(two(1, 1), TTL, token)).toBe(true);
        await second.refill([two(2, 1)], TTL);
        await first.refill([two(2, 2)], TTL);
        await second.refill([two(2, 1)], TTL);
        expect(await first.get('A')).toEqual({ hit: true, value: two(2, 2) });
      }));

    it('the directory stamp changes on every touch, through either handle', () =>
      withPair(async ({ first, second }) => {
        const seen = new Set([await first.directoryStamp()]);
        expect(await second.directoryStamp()).toBe(await first.directoryStamp());
        for (const handle of [first, second, first]) {
          await handle.touchDirectory();
          const stamp = await second.directoryStamp();
          expect(await first.directoryStamp()).toBe(stamp);
          expect(seen.has(stamp)).toBe(false);
          seen.add(stamp);
        }
      }));

    it('two stockrooms on one store: a write through one is seen by the next check through the other', () =>
      withPair(async (pair) => {
        const { store, stockrooms, caches, holds } = await twoStockrooms(pair);
        const [a, b] = stockrooms;
        const check = async (stockroom: Stockroom) =>
          (await stockroom.availability.check({ sku: 'A', quantity: 1 })).availableQuantity;
        await a.adjustments.adjust({
          sku: 'A',
          warehouseId: 'paris',
          type: 'RESTOCK',
          quantity: 5,
        });
        expect(await check(b)).toBe(5);
        expect(await check(a)).toBe(5);
        await a.adjustments.adjust({
          sku: 'A',
          warehouseId: 'paris',
          type: 'RESTOCK',
          quantity: 2,
        });
        expect(await check(b)).toBe(7);

        // B's fill reads 8, A restocks meanwhile, B's fill lands late: it must not be kept.
        await b.adjustments.adjust({
          sku: 'A',
          warehouseId: 'paris',
          type: 'RESTOCK',
          quantity: 1,
        });
        // The write went through the cache; a blind invalidation makes the next check a miss.
        await caches[1].delete(['A']);
        const gate = holds[1].hold();
        const slow = b.availability.check({ sku: 'A', quantity: 1 });
        await gate.reached;
        await a.adjustments.adjust({
          sku: 'A',
          warehouseId: 'paris',
          type: 'RESTOCK',
          quantity: 3,
        });
        gate.release();
        expect((await slow).availableQuantity).toBe(8);
        expect(await check(b)).toBe(11);
        expect(await check(a)).toBe(11);
        expect(await truthOf(store, 'A')).toMatchObject({ availableQuantity: 11 });

        // A warehouse created through one is in the next check through the other.
        await b.availability.check({ sku: 'A', quantity: 1 });
        await a.warehouses.create({ id: 'oslo', name: 'Oslo' });
        await a.adjustments.adjust({ sku: 'A', warehouseId: 'oslo', type: 'RESTOCK', quantity: 4 });
        const answer = await b.availability.check({ sku: 'A', quantity: 1 });
        expect(answer.warehouses.map((line) => line.warehouseId).sort()).toEqual(['oslo', 'paris']);
      }));

    it('a check right after a write is a hit with the value the write committed', () =>
      withPair(async (pair) => {
        const { store, stockrooms } = await twoStockrooms(pair);
        const [a, b] = stockrooms;
        const restock = (quantity: number) =>
          a.adjustments.adjust({ sku: 'A', warehouseId: 'paris', type: 'RESTOCK', quantity });
        await restock(5);
        await a.availability.check({ sku: 'A', quantity: 1 });
        await b.availability.check({ sku: 'A', quantity: 1 });
        for (const quantity of [1, 2, 3]) {
          await restock(quantity);
          const before = { a: a.stats.cache.hits, b: b.stats.cache.hits };
          const truth = await truthOf(store, 'A');
          expect(await a.availability.check({ sku: 'A', quantity: 1 })).toMatchObject(truth);
          expect(a.stats.cache.hits).toBe(before.a + 1);
          expect(await b.availability.check({ sku: 'A', quantity: 1 })).toMatchObject(truth);
          // A shared cache serves every process the written value; an in-process one learns of
          // another process's write through the store's change feed (blind) and reads again.
          if (pair.second.scope === 'shared') expect(b.stats.cache.hits).toBe(before.b + 1);
          else expect(b.stats.cache.hits).toBe(before.b);
        }
      }));

    it("a check between a write's COMMIT and its cache update answers the write, in either process", () =>
      withPair(async (pair) => {
        const gate = refillGate();
        const { store, stockrooms } = await twoStockrooms(pair, gate.wrap);
        const [a, b] = stockrooms;
        const check = (stockroom: Stockroom) =>
          stockroom.availability.check({ sku: 'A', quantity: 1 });
        const restock = (quantity: number) =>
          a.adjustments.adjust({ sku: 'A', warehouseId: 'paris', type: 'RESTOCK', quantity });
        await restock(5);
        await check(a);
        await check(b);
        expect(await check(b)).toMatchObject({ availableQuantity: 5 });

        const held = gate.hold();
        const write = restock(2);
        await held.reached; // committed; the cache still holds 5
        const truth = await truthOf(store, 'A');
        expect(truth.availableQuantity).toBe(7);
        // Another process: its check must not be served the entry the write has not replaced.
        expect(await check(b)).toMatchObject(truth);
        // This process: its check waits for its own write's cache update.
        const own = check(a);
        held.release();
        expect(await own).toMatchObject(truth);
        await write;
        expect(await check(a)).toMatchObject(truth);
        expect(await check(b)).toMatchObject(truth);
      }));

    it('the rule holds after every step of a generated sequence of writes, checks and races', async () => {
      const via = fc.constantFrom(0 as const, 1 as const);
      const sku = fc.constantFrom('A', 'B');
      const step = fc.oneof(
        fc.record({
          kind: fc.constant('write' as const),
          via,
          sku,
          quantity: fc.integer({ min: 1, max: 5 }),
        }),
        fc.record({ kind: fc.constant('check' as const), via, sku }),
        fc.record({ kind: fc.constant('forget' as const), via, sku }),
        fc.record({
          kind: fc.constant('race' as const),
          reader: via,
          writer: via,
          sku,
          quantity: fc.integer({ min: 1, max: 5 }),
        }),
      );
      await fc.assert(
        fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 25 }), async (steps) => {
          const pair = await options.openPair();
          try {
            const { store, stockrooms, caches, holds } = await twoStockrooms(pair);
            const check = (index: 0 | 1, name: string) =>
              stockrooms[index].availability.check({ sku: name, quantity: 1 });
            for (const next of steps) {
              if (next.kind === 'write') {
                await stockrooms[next.via].adjustments.adjust({
                  sku: next.sku,
                  warehouseId: 'paris',
                  type: 'RESTOCK',
                  quantity: next.quantity,
                });
              } else if (next.kind === 'forget') {
                // A blind invalidation (a writer that did not know the rows), so races miss.
                await caches[next.via].delete([next.sku]);
              } else if (next.kind === 'check') {
                const answer = await check(next.via, next.sku);
                expect(answer).toMatchObject(await truthOf(store, next.sku));
              } else {
                // A check whose store read is held while a write commits through either side.
                const floor = await truthOf(store, next.sku);
                const gate = holds[next.reader].hold();
                const slow = check(next.reader, next.sku);
                const reached = await Promise.race([
                  gate.reached.then(() => true),
                  slow.then(() => false),
                ]);
                await stockrooms[next.writer].adjustments.adjust({
                  sku: next.sku,
                  warehouseId: 'paris',
                  type: 'RESTOCK',
                  quantity: next.quantity,
                });
                // A check that starts after the write sees it, while the slow fill is in flight.
                const other = next.reader === 0 ? 1 : 0;
                expect(await check(other, next.sku)).toMatchObject(await truthOf(store, next.sku));
                gate.release();
                if (!reached) holds[next.reader].hold().release();
                const late = await slow;
                for (const [warehouseId, version] of Object.entries(floor.rowVersions)) {
                  expect(late.rowVersions[warehouseId]).toBeGreaterThanOrEqual(version);
                }
              }
              // After every step, a new check through either stockroom answers the truth.
              for (const index of [0, 1] as const) {
                for (const name of ['A', 'B']) {
                  expect(await check(index, name)).toMatchObject(await truthOf(store, name));
                }
              }
            }
          } finally {
            await pair.close();
          }
        }),
        { numRuns: options.runs ?? 25 },
      );
    }, 120_000);
  });
}
