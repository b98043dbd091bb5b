import type { StockStore, StockTransaction, StoreReads } from '../ports/stock-store.js';
import { AsyncMutex } from './async-mutex.js';
import { createMemoryState, type MemoryState } from './memory-state.js';
import { createMemoryReads } from './memory-store-reads.js';
import { createMemoryTransaction } from './memory-store-transaction.js';

/** Options of {@link createMemoryStockStore}. */
export interface MemoryStockStoreOptions {
  /** Reads made outside transactions see the latest commit (the default; memory has no replica). */
  readonly name?: string;
}

/**
 * The in-memory store: every port method, kept in plain maps. Transactions run one at a time
 * (a FIFO mutex), see their own writes and undo every write when `work` throws. Reads outside
 * transactions wait for the running transaction, so they never see uncommitted state.
 *
 * This is the store a host application uses in its own tests; it is not durable.
 */
export class MemoryStockStore implements StockStore {
  readonly capabilities = { lockingReads: true, skipLocked: true, multiProcess: false } as const;
  readonly reads: StoreReads;
  private readonly mutex = new AsyncMutex();
  private readonly state: MemoryState = createMemoryState();
  private closed = false;

  constructor(_options: MemoryStockStoreOptions = {}) {
    this.reads = createMemoryReads(this.state, this.mutex);
  }

  transaction<T>(work: (transaction: StockTransaction) => Promise<T>): Promise<T> {
    return this.mutex.run(async () => {
      const undo: Array<() => void> = [];
      try {
        return await work(createMemoryTransaction(this.state, undo));
      } catch (error) {
        for (let index = undo.length - 1; index >= 0; index -= 1) undo[index]!();
        throw error;
      }
    });
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    this.closed = true;
  }

  /** True once `close` was called (the memory store keeps working; this is for tests). */
  get isClosed(): boolean {
    return this.closed;
  }
}

/** Creates an in-memory store (see {@link MemoryStockStore}). */
export function createMemoryStockStore(options: MemoryStockStoreOptions = {}): MemoryStockStore {
  return new MemoryStockStore(options);
}
