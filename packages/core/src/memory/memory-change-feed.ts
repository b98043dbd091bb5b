import type { StockStore, StockTransaction } from '../ports/stock-store.js';
import type { StoreChangeFeed, StoreChanges } from '../ports/store-changes.js';
import { NO_STORE_CHANGES } from '../ports/store-changes.js';

/** What one committed transaction changed. */
export interface MemoryCommit {
  readonly skus: Set<string>;
  warehouses: boolean;
}

/** More pending SKUs than this and a feed reports `everything` instead (bounded memory). */
const MAX_PENDING_SKUS = 10_000;

/**
 * One handle's view of the commits made through the other handles of a memory store: the
 * in-process equivalent of SQLite's `data_version` or PostgreSQL's LISTEN/NOTIFY. Commits are
 * pushed synchronously before the committing transaction resolves, so every commit that
 * completed before a `poll()` started is reported by it or an earlier one.
 */
class MemoryChangeFeed implements StoreChangeFeed {
  private skus = new Set<string>();
  private warehouses = false;
  private everything = false;

  constructor(private readonly unsubscribe: (feed: MemoryChangeFeed) => void) {}

  /** Records a commit made through another handle. */
  push(commit: MemoryCommit): void {
    if (this.everything) return;
    this.warehouses ||= commit.warehouses;
    for (const sku of commit.skus) this.skus.add(sku);
    if (this.skus.size > MAX_PENDING_SKUS) {
      this.everything = true;
      this.skus = new Set();
    }
  }

  async poll(): Promise<StoreChanges> {
    if (this.everything) {
      this.everything = false;
      this.warehouses = false;
      return { everything: true };
    }
    if (this.skus.size === 0 && !this.warehouses) return NO_STORE_CHANGES;
    const changes: StoreChanges = {
      everything: false,
      skus: [...this.skus],
      warehouses: this.warehouses,
    };
    this.skus = new Set();
    this.warehouses = false;
    return changes;
  }

  async close(): Promise<void> {
    this.unsubscribe(this);
  }
}

/**
 * The commits of one memory store, fanned out to the change feeds of its handles (one per
 * simulated process). A handle's feed reports the commits made through every other handle.
 */
export class MemoryChangeLog {
  private readonly feeds = new Map<MemoryChangeFeed, object>();

  /** Whether more than one handle listens (else no transaction needs recording). */
  get shared(): boolean {
    return this.feeds.size > 1;
  }

  /** A feed for the handle `origin`: it reports the commits other handles make. */
  subscribe(origin: object): StoreChangeFeed {
    const feed = new MemoryChangeFeed((closed) => this.feeds.delete(closed));
    this.feeds.set(feed, origin);
    return feed;
  }

  /** Reports a committed transaction to the feeds of every handle but its own. */
  publish(origin: object, commit: MemoryCommit): void {
    if (commit.skus.size === 0 && !commit.warehouses) return;
    for (const [feed, owner] of this.feeds) if (owner !== origin) feed.push(commit);
  }
}

/** An empty record of what a transaction changes. */
export function newMemoryCommit(): MemoryCommit {
  return { skus: new Set(), warehouses: false };
}

/**
 * Wraps a transaction so that its stock and warehouse writes are recorded in `commit` (the store
 * publishes it once the transaction commits).
 */
export function recordingTransaction(
  transaction: StockTransaction,
  commit: MemoryCommit,
): StockTransaction {
  const { stock, warehouses } = transaction;
  return {
    ...transaction,
    stock: {
      ...stock,
      insert: (row) => {
        commit.skus.add(row.sku);
        return stock.insert(row);
      },
      update: (writes, unchanged) => {
        for (const write of writes) commit.skus.add(write.next.sku);
        return stock.update(writes, unchanged);
      },
      updateSettings: (key, settings, now) => {
        commit.skus.add(key.sku);
        return stock.updateSettings(key, settings, now);
      },
    },
    warehouses: {
      ...warehouses,
      insert: (warehouse) => {
        commit.warehouses = true;
        return warehouses.insert(warehouse);
      },
      update: (next, expectedVersion) => {
        commit.warehouses = true;
        return warehouses.update(next, expectedVersion);
      },
    },
  };
}

/**
 * Another handle on a memory store, as a second process on one database holds: the same data
 * and transactions, with its own change feed (reporting the commits of every other handle).
 * Closing it closes its feed only.
 */
export function openMemoryHandle<S extends StockStore>(
  store: S,
  log: MemoryChangeLog,
  transactionAs: (
    origin: object,
    work: Parameters<StockStore['transaction']>[0],
  ) => Promise<unknown>,
): S {
  const handle = Object.create(store) as S;
  const changes = log.subscribe(handle);
  Object.defineProperties(handle, {
    changes: { value: changes },
    transaction: {
      value: (work: Parameters<StockStore['transaction']>[0]) => transactionAs(handle, work),
    },
    close: { value: () => changes.close?.() },
  });
  return handle;
}
