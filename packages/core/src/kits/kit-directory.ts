import type { Warehouse } from '../domain/warehouse.js';
import type { StockStore } from '../ports/stock-store.js';
import type { Kit } from './kit.js';

interface Loaded {
  /** The warehouse list the kits were loaded against. */
  readonly warehouses: readonly Warehouse[];
  /** The store's kit generation they were loaded at. */
  readonly generation: number;
  readonly kits: Promise<ReadonlyMap<string, Kit>>;
}

const NO_KITS: ReadonlyMap<string, Kit> = new Map();

/**
 * The kit definitions, kept in process so a check or a reservation naming a SKU learns whether
 * it is a kit without a store round trip. Like the sales channels (`ChannelDirectory`), they
 * live exactly as long as the in-process warehouse list: every kit change is announced as a
 * warehouse-directory change (the shared directory stamp, the store's change feed), so when any
 * process changes a kit every process loads the kits again. Instances over one store object
 * also share a change counter.
 */
const generations = new WeakMap<StockStore, { value: number }>();

export class KitDirectory {
  private loaded: Loaded | undefined;
  private readonly generation: { value: number };

  private refreshedAt = 0;

  /**
   * @param load - lists the kits in a store transaction (the composition root passes one run
   *   under the retry policy)
   */
  constructor(
    store: StockStore,
    private readonly warehouses: () => Promise<readonly Warehouse[]>,
    private readonly load: () => Promise<readonly Kit[]>,
  ) {
    if (!generations.has(store)) generations.set(store, { value: 0 });
    this.generation = generations.get(store)!;
  }

  /** Every kit by SKU (empty where the store keeps no kits). */
  async all(): Promise<ReadonlyMap<string, Kit>> {
    const warehouses = await this.warehouses();
    let loaded = this.loaded;
    const generation = this.generation.value;
    if (!loaded || loaded.warehouses !== warehouses || loaded.generation !== generation) {
      const entry: Loaded = { warehouses, generation, kits: this.loadAll() };
      entry.kits.catch(() => {
        if (this.loaded === entry) this.loaded = undefined;
      });
      this.loaded = entry;
      loaded = entry;
    }
    return loaded.kits;
  }

  /**
   * The kits among `skus` (none when no SKU is a kit: the common case costs one map lookup
   * each). With `fresh: false` the kits already loaded answer at once while the list is brought
   * up to date in the background (the reservation path: it pays no directory round trip; a kit
   * another process defined a moment ago may be missed, and a refused reservation then asks
   * again with `fresh`). Changes made through this process are always seen.
   * @default fresh: true
   */
  async among(
    skus: readonly string[],
    options: { readonly fresh?: boolean } = {},
  ): Promise<ReadonlyMap<string, Kit>> {
    const current = this.loaded;
    let all: ReadonlyMap<string, Kit>;
    // A change made through this process (any instance over the store object) is seen at once.
    if (options.fresh === false && current && current.generation === this.generation.value) {
      // At most one background refresh per 50 ms: a reservation crowd costs no directory reads.
      const now = Date.now();
      if (now - this.refreshedAt >= 50) {
        this.refreshedAt = now;
        this.all().catch(() => undefined);
      }
      all = await current.kits;
    } else {
      all = await this.all();
    }
    if (all.size === 0) return NO_KITS;
    let found: Map<string, Kit> | undefined;
    for (const sku of skus) {
      const kit = all.get(sku);
      if (!kit) continue;
      found ??= new Map();
      found.set(sku, kit);
    }
    return found ?? NO_KITS;
  }

  /** Drops what is kept (a kit changed here), in every instance over this store object. */
  forget(): void {
    this.generation.value += 1;
    this.loaded = undefined;
  }

  private async loadAll(): Promise<ReadonlyMap<string, Kit>> {
    return new Map((await this.load()).map((kit) => [kit.sku, kit]));
  }
}
