import { afterEach, beforeEach } from 'vitest';
import { createStockroom, type Stockroom, type StockroomPolicies } from '../../create-stockroom.js';
import { ManualClock } from '../../memory/manual-clock.js';
import { MemoryEventPublisher } from '../../memory/memory-event-publisher.js';
import type { StockStore } from '../../ports/stock-store.js';
import type { StockStoreContractOptions } from '../define-stock-store-contract.js';

/** What each contract test gets: a fresh store and a stockroom over it. */
export interface ContractWorld {
  store: StockStore;
  stockroom: Stockroom;
  clock: ManualClock;
  publisher: MemoryEventPublisher;
  /** Another stockroom over the same store (a second "instance" of the host app). */
  createStockroom(policies?: StockroomPolicies): Stockroom;
}

/** Registers per-test setup and teardown; the returned object is filled before each test. */
export function useContractWorld(
  options: StockStoreContractOptions,
  policies: StockroomPolicies = {},
): ContractWorld {
  const world = {} as ContractWorld;
  const mode = options.locking;
  const locking = mode ? { locking: () => mode } : {};
  beforeEach(async () => {
    world.store = await options.createStore();
    world.clock = new ManualClock('2026-03-01T12:00:00.000Z');
    world.publisher = new MemoryEventPublisher();
    world.createStockroom = (extra = {}) =>
      createStockroom({
        store: world.store,
        clock: world.clock,
        publisher: world.publisher,
        policies: {
          retry: { deadlineMs: 30_000 },
          ...locking,
          ...policies,
          ...extra,
        },
      });
    world.stockroom = world.createStockroom();
  });
  afterEach(async () => {
    await world.store?.close();
    if (world.store) await options.destroyStore?.(world.store);
  });
  return world;
}
