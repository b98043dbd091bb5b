import type { Warehouse } from '../domain/warehouse.js';
import type { AvailabilityCache, SoldOutGuard } from '../ports/availability-cache.js';
import type { Logger } from '../ports/logger.js';
import type { StockStore } from '../ports/stock-store.js';
import type { StoreChanges } from '../ports/store-changes.js';

/** What {@link StoreCoherence} works with. */
export interface StoreCoherenceOptions {
  readonly store: StockStore;
  /** The (resilient) availability cache, if any. */
  readonly cache: AvailabilityCache | undefined;
  /** The (resilient) sold-out guard, if any: its marks are dropped too when it is in-process. */
  readonly soldOutGuard?: SoldOutGuard | undefined;
  readonly logger: Logger;
  /** The longest a loaded warehouse list is reused, whatever the stamps say. */
  readonly warehouseCacheMs: number;
}

interface LoadedDirectory {
  readonly stamp: string;
  readonly generation: number;
  readonly at: number;
  readonly items: Promise<readonly Warehouse[]>;
}

/**
 * Keeps what one process remembers (an in-process availability cache, the warehouse list used
 * by checks) from answering older than a commit made elsewhere (DESIGN invariant 8).
 *
 * - An in-process cache (`scope: 'process'`) or no cache: before a check, the store's change
 *   feed (`StockStore.changes`) is polled and what other processes committed is invalidated.
 * - An in-process sold-out guard: before a mark refuses a request, the feed is polled and the
 *   marks of SKUs other processes changed are dropped (another process's restock is not refused).
 *   Polls are serialised and shared: a check waits for a poll that started after it arrived,
 *   never for one already running.
 * - A shared cache (Redis): every writer invalidates it, so no poll is needed.
 * - The warehouse list is reused only while the cache's directory stamp is the one it was
 *   loaded under (writers change it after every warehouse change, through any process) and no
 *   poll reported a warehouse change.
 */
export class StoreCoherence {
  private readonly feed: StockStore['changes'];
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  private directory: LoadedDirectory | undefined;
  /** Bumped whenever this process learns that warehouses changed. */
  private generation = 0;
  private feedFailing = false;

  private stampRunning: Promise<string> | undefined;
  private stampQueued: Promise<string> | undefined;

  constructor(private readonly options: StoreCoherenceOptions) {
    const local = options.cache?.scope !== 'shared' || options.soldOutGuard?.scope === 'process';
    this.feed = local ? options.store.changes : undefined;
    if (
      !this.feed &&
      options.store.capabilities.multiProcess &&
      options.cache?.scope === 'process'
    ) {
      options.logger.warn(
        {},
        "an in-process availability cache over a store other processes may write, without the store's change feed: checks may answer older than another process's writes; use a shared cache or turn the store's change feed on",
      );
    }
  }

  /**
   * The directory stamp, read by a call that started after this one was made (concurrent checks
   * share it: one Redis round trip for a crowd, not one per check).
   */
  private directoryStamp(cache: AvailabilityCache): Promise<string> {
    if (!this.stampRunning) {
      const run = cache.directoryStamp().finally(() => {
        if (this.stampRunning === run) this.stampRunning = undefined;
      });
      this.stampRunning = run;
      return run;
    }
    this.stampQueued ??= this.stampRunning
      .catch(() => '')
      .then(() => {
        this.stampQueued = undefined;
        return this.directoryStamp(cache);
      });
    return this.stampQueued;
  }

  /** Resolves once every commit completed before the call is applied. Never throws. */
  sync(): Promise<void> {
    if (!this.feed) return Promise.resolve();
    if (!this.running) {
      this.running = this.pollAndApply().finally(() => {
        this.running = undefined;
      });
      return this.running;
    }
    // The running poll may have started before this caller's commit of interest: wait for the
    // next one (shared by every caller that arrives meanwhile).
    this.queued ??= this.running.then(() => {
      this.queued = undefined;
      return this.sync();
    });
    return this.queued;
  }

  /** The warehouses, from memory while still current, else from the store. */
  async warehouses(): Promise<readonly Warehouse[]> {
    const stamp = this.options.cache ? await this.directoryStamp(this.options.cache) : '';
    const now = Date.now();
    const current = this.directory;
    if (
      current &&
      current.stamp === stamp &&
      current.generation === this.generation &&
      now - current.at <= this.options.warehouseCacheMs
    ) {
      return current.items;
    }
    const entry: LoadedDirectory = {
      stamp,
      generation: this.generation,
      at: now,
      items: this.loadWarehouses(),
    };
    this.directory = entry;
    entry.items.catch(() => {
      if (this.directory === entry) this.directory = undefined;
    });
    return entry.items;
  }

  /** A warehouse change committed here: drop the list here and change the shared stamp. */
  async warehousesChanged(): Promise<void> {
    this.forgetWarehouses();
    await this.options.cache?.touchDirectory();
  }

  private forgetWarehouses(): void {
    this.generation += 1;
    this.directory = undefined;
  }

  private async pollAndApply(): Promise<void> {
    let changes: StoreChanges;
    try {
      changes = (await this.feed?.poll()) ?? { everything: true };
      if (this.feedFailing) {
        this.feedFailing = false;
        this.options.logger.info({}, 'the store change feed answers again');
      }
    } catch (error) {
      // Logged once per outage: while it lasts, every check reads the store.
      if (!this.feedFailing) {
        this.options.logger.warn(
          { err: error },
          'the store change feed failed; checks read the store until it answers again',
        );
      }
      this.feedFailing = true;
      changes = { everything: true };
    }
    const local = this.options.cache?.scope === 'process' ? this.options.cache : undefined;
    const guard =
      this.options.soldOutGuard?.scope === 'process' ? this.options.soldOutGuard : undefined;
    if (changes.everything) {
      this.forgetWarehouses();
      await Promise.all([local?.clear(), guard?.clearAll?.()]);
      return;
    }
    if (changes.warehouses) this.forgetWarehouses();
    if (changes.skus.length > 0)
      await Promise.all([local?.delete(changes.skus), guard?.clear(changes.skus)]);
  }

  /**
   * The warehouse list from the primary (a store transaction): the directory decides what
   * reservations may allocate from and keys the kit and channel lists, so it never reads a
   * replica that may lag behind (or not yet hold the schema).
   */
  private loadWarehouses(): Promise<readonly Warehouse[]> {
    return this.options.store.transaction((transaction) => transaction.warehouses.list());
  }
}
