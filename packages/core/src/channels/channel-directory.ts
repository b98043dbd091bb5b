import type { Warehouse } from '../domain/warehouse.js';
import type { StockStore } from '../ports/stock-store.js';
import type { SalesChannel } from './sales-channel.js';

interface Loaded {
  /** The warehouse list the channels were loaded against. */
  readonly warehouses: readonly Warehouse[];
  /** The store's channel generation they were loaded at. */
  readonly generation: number;
  readonly channels: Promise<ReadonlyMap<string, SalesChannel>>;
}

/**
 * The sales channels, kept in process so a check or a reservation naming a channel costs no
 * store round trip. They live exactly as long as the in-process warehouse list: every channel
 * change is announced as a warehouse-directory change (the shared directory stamp, the store's
 * change feed), so when any process changes a channel every process drops its warehouse list,
 * and a new list means the channels are loaded again. Instances over one store object (which
 * its own change feed does not report to each other) also share a change counter.
 */
const generations = new WeakMap<StockStore, { value: number }>();

export class ChannelDirectory {
  private loaded: Loaded | undefined;

  constructor(
    private readonly store: StockStore,
    private readonly warehouses: () => Promise<readonly Warehouse[]>,
  ) {
    if (!generations.has(store)) generations.set(store, { value: 0 });
    this.generation = generations.get(store)!;
  }

  private readonly generation: { value: number };

  /** One channel, or undefined. */
  async get(id: string): Promise<SalesChannel | undefined> {
    return (await this.all()).get(id);
  }

  /** Every channel by id. */
  async all(): Promise<ReadonlyMap<string, SalesChannel>> {
    const warehouses = await this.warehouses();
    let loaded = this.loaded;
    const generation = this.generation.value;
    if (!loaded || loaded.warehouses !== warehouses || loaded.generation !== generation) {
      const entry: Loaded = { warehouses, generation, channels: this.load() };
      entry.channels.catch(() => {
        if (this.loaded === entry) this.loaded = undefined;
      });
      this.loaded = entry;
      loaded = entry;
    }
    return loaded.channels;
  }

  /** Drops what is kept (a channel changed here), in every instance over this store object. */
  forget(): void {
    this.generation.value += 1;
    this.loaded = undefined;
  }

  private async load(): Promise<ReadonlyMap<string, SalesChannel>> {
    const channels = await this.store.transaction(
      async (transaction) => (await transaction.channels?.list()) ?? [],
    );
    return new Map(channels.map((channel) => [channel.id, channel]));
  }
}
