// Fixtures of the availability-cache contract (define-availability-cache-contract.ts).
import { expect } from 'vitest';
import { createStockroom, type Stockroom } from '../create-stockroom.js';
import type { InventoryStock } from '../domain/inventory-stock.js';
import { createMemoryStockStore } from '../memory/memory-stock-store.js';
import type { AvailabilityCache, CachedAvailability } from '../ports/availability-cache.js';
import type { StockStore } from '../ports/stock-store.js';
import { seedWarehouses } from './fixtures.js';

/**
 * Two handles on one cache backend, as two processes sharing it would hold them (two Redis
 * clients on one prefix). A cache that lives in one process gives the same object twice, and
 * gives two separate caches as `perProcess`.
 */
export interface CachePair {
  readonly first: AvailabilityCache;
  readonly second: AvailabilityCache;
  /**
   * The caches of two stockrooms in two processes on one store (two handles of one memory
   * store, each with its own change feed). @default [first, second]
   */
  readonly perProcess?: readonly [AvailabilityCache, AvailabilityCache];
  /** Closes what `openPair` opened. */
  close(): Promise<void>;
}

/** What `defineAvailabilityCacheContract` takes. */
export interface AvailabilityCacheContractOptions {
  /** Opens two handles on a fresh, empty cache (an unused key prefix). */
  openPair(): Promise<CachePair>;
  /** Runs of the generated-sequence property. @default 25 */
  readonly runs?: number;
}

/** The TTL the contract's fills and refills use. */
export const TTL = 60_000;

/** A one-row value of SKU `sku` in `paris`. */
export function value(sku: string, available: number, version: number): CachedAvailability {
  return { sku, rows: [{ warehouseId: 'paris', available, version }] };
}

/** Looks `sku` up, expects a miss and returns its token. */
export async function missToken(cache: AvailabilityCache, sku: string): Promise<string> {
  const lookup = await cache.get(sku);
  expect(lookup.hit).toBe(false);
  return lookup.hit ? '' : lookup.token;
}

/** A store whose reads can be held: `hold()` makes the next `stockBySku` wait for `release`. */
export function holdableStore(store: StockStore): {
  store: StockStore;
  hold(): { reached: Promise<void>; release(): void };
} {
  let armed: { reached: () => void; wait: Promise<void> } | undefined;
  const reads = Object.create(store.reads) as StockStore['reads'];
  reads.stockBySku = async (sku: string): Promise<InventoryStock[]> => {
    const rows = await store.reads.stockBySku(sku);
    const gate = armed;
    if (gate) {
      armed = undefined;
      gate.reached();
      await gate.wait;
    }
    return rows;
  };
  const wrapped = Object.create(store) as StockStore;
  Object.defineProperty(wrapped, 'reads', { value: reads });
  return {
    store: wrapped,
    hold() {
      let release = () => {};
      let reached = () => {};
      const wait = new Promise<void>((resolve) => {
        release = resolve;
      });
      const reachedPromise = new Promise<void>((resolve) => {
        reached = resolve;
      });
      armed = { reached, wait };
      return { reached: reachedPromise, release };
    },
  };
}

/** Two stockrooms on one store, as two processes. */
export interface TwoStockrooms {
  readonly store: StockStore;
  readonly stockrooms: readonly [Stockroom, Stockroom];
  readonly caches: readonly [AvailabilityCache, AvailabilityCache];
  readonly holds: readonly [ReturnType<typeof holdableStore>, ReturnType<typeof holdableStore>];
}

/** A gate on a cache's write-through: `hold()` makes the next `refill` wait for `release`. */
export function refillGate() {
  let armed: { reached: () => void; wait: Promise<void> } | undefined;
  return {
    wrap(cache: AvailabilityCache): AvailabilityCache {
      const wrapped = Object.create(cache) as AvailabilityCache;
      Object.defineProperty(wrapped, 'refill', {
        value: async (...args: Parameters<AvailabilityCache['refill']>) => {
          const gate = armed;
          if (gate) {
            armed = undefined;
            gate.reached();
            await gate.wait;
          }
          return cache.refill(...args);
        },
      });
      return wrapped;
    },
    hold() {
      let release = () => {};
      let reached = () => {};
      const wait = new Promise<void>((resolve) => {
        release = resolve;
      });
      const reachedPromise = new Promise<void>((resolve) => {
        reached = resolve;
      });
      armed = { reached, wait };
      return { reached: reachedPromise, release };
    },
  };
}

/** Two stockrooms as two processes: two handles of one memory store, one cache each. */
export async function twoStockrooms(
  pair: CachePair,
  wrapFirst: (cache: AvailabilityCache) => AvailabilityCache = (cache) => cache,
): Promise<TwoStockrooms> {
  const store = createMemoryStockStore();
  const holds = [holdableStore(store), holdableStore(store.handle())] as const;
  const caches = pair.perProcess ?? [pair.first, pair.second];
  const first = createStockroom({ store: holds[0].store, cache: wrapFirst(caches[0]) });
  const second = createStockroom({ store: holds[1].store, cache: caches[1] });
  await seedWarehouses(first);
  return { store, stockrooms: [first, second], caches, holds };
}

/** The truth: what the store holds for a SKU's rows, as `rowVersions` and a total. */
export async function truthOf(store: StockStore, sku: string) {
  const rows = await store.reads.stockBySku(sku);
  return {
    availableQuantity: rows.reduce((sum, row) => sum + row.available, 0),
    rowVersions: Object.fromEntries(rows.map((row) => [row.warehouseId, row.version])),
  };
}
