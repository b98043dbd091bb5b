import type { StockStore, StockTransaction, StoreReads } from '../ports/stock-store.js';
import type { StoreChangeFeed } from '../ports/store-changes.js';
import { AsyncMutex } from './async-mutex.js';
import {
  MemoryChangeLog,
  newMemoryCommit,
  openMemoryHandle,
  recordingTransaction,
} from './memory-change-feed.js';
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

  private readonly changeLog = new MemoryChangeLog();
  /** This store as the origin of its commits (also when called through a wrapping object). */
  private readonly origin: object = this;
  /** The commits made through this store's other handles (see {@link MemoryStockStore.handle}). */
  readonly changes: StoreChangeFeed = this.changeLog.subscribe(this);

  constructor(_options: MemoryStockStoreOptions = {}) {
    this.reads = createMemoryReads(this.state, this.mutex);
  }

  /**
   * Another handle on the same data, as a second process on one database holds: its `changes`
   * report the commits made through this store and every other handle, so two stockrooms with
   * their own in-process caches stay coherent. Closing a handle only stops its feed.
   */
  handle(): MemoryStockStore {
    return openMemoryHandle(this, this.changeLog, (origin, work) =>
      this.transactionAs(origin, work),
    );
  }

  transaction<T>(work: (transaction: StockTransaction) => Promise<T>): Promise<T> {
    return this.transactionAs(this.origin, work);
  }

  private transactionAs<T>(
    origin: object,
    work: (transaction: StockTransaction) => Promise<T>,
  ): Promise<T> {
    return this.mutex.run(async () => {
      const undo: Array<() => void> = [];
      try {
        const transaction = createMemoryTransaction(this.state, undo);
        if (!this.changeLog.shared) return await work(transaction);
        const commit = newMemoryCommit();
        const result = await work(recordingTransaction(transaction, commit));
        this.changeLog.publish(origin, commit);
        return result;
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
