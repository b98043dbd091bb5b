import {
  type AvailabilityCache,
  createStockroom,
  isStockroomError,
  type SoldOutGuard,
  type Stockroom,
  type StockroomPolicies,
  sellableOf,
} from '@stockroom/core';
import { verifyStore } from '../ledger-check.js';
import type { StoreHandle } from '../stores.js';
import type { ReservationTarget, ReserveOutcome, TargetCounters } from './reservation-target.js';

/** The warehouse every hot-SKU variant stocks. */
export const HOT_WAREHOUSE = 'wh-hot';

/** How the library is configured for one variant. */
export interface LibraryVariant {
  readonly locking: 'optimistic' | 'pessimistic';
  /** false: `maxBatchSize: 1` (one reservation per store transaction). */
  readonly batching: boolean;
  readonly cache?: AvailabilityCache;
  readonly soldOutGuard?: SoldOutGuard;
  /**
   * Selling rules on the seeded SKU: a safety stock of {@link SAFETY_UNITS} (seeded on top of
   * the units, so the same units are sellable) and a cart limit, so every reservation pays for
   * the rules it would meet in a shop.
   */
  readonly sellingRules?: boolean;
  /** Reserve through a sales channel holding the hot warehouse (issue 16: rules cost no round trip). */
  readonly channel?: boolean;
}

/** The safety stock of a `sellingRules` variant's seeded rows. */
export const SAFETY_UNITS = 5;

/** The stockroom policies of a variant. */
export function variantPolicies(variant: LibraryVariant): StockroomPolicies {
  return {
    locking: () => variant.locking,
    ...(variant.batching ? {} : { reservations: { maxBatchSize: 1 } }),
  };
}

/** Maps a reserve error to an outcome; anything unexpected is rethrown. */
export function reserveOutcomeOf(error: unknown): ReserveOutcome {
  if (isStockroomError(error)) {
    if (error.code === 'INSUFFICIENT_STOCK') return 'refused';
    if (error.code === 'VERSION_CONFLICT') return 'conflict';
  }
  throw error;
}

/** A stockroom on a store, seen as a reservation target; `stockroom` is exposed for checks. */
export interface LibraryTarget extends ReservationTarget {
  readonly stockroom: Stockroom;
}

/** The library (createStockroom) on an open store, with one warehouse created. */
export async function createLibraryTarget(
  handle: StoreHandle,
  variant: LibraryVariant,
): Promise<LibraryTarget> {
  const stockroom = createStockroom({
    store: handle.store,
    ...(variant.cache ? { cache: variant.cache } : {}),
    ...(variant.soldOutGuard ? { soldOutGuard: variant.soldOutGuard } : {}),
    policies: variantPolicies(variant),
  });
  await stockroom.warehouses.create({ id: HOT_WAREHOUSE, name: 'Hot SKU warehouse' });
  if (variant.channel) {
    await stockroom.channels.create({ id: 'bench', name: 'Bench', warehouseIds: [HOT_WAREHOUSE] });
  }
  const channel = variant.channel ? { channelId: 'bench' } : {};
  return {
    stockroom,
    async seed(sku, units) {
      await stockroom.adjustments.adjust({
        sku,
        warehouseId: HOT_WAREHOUSE,
        type: 'RESTOCK',
        quantity: units + (variant.sellingRules ? SAFETY_UNITS : 0),
      });
      if (variant.sellingRules) {
        await stockroom.adjustments.updateSettings({
          sku,
          warehouseId: HOT_WAREHOUSE,
          safetyStock: SAFETY_UNITS,
        });
        await stockroom.skuPolicies.set({ sku, maxPerCart: 10 });
      }
    },
    async reserve(sku, quantity) {
      try {
        await stockroom.reservations.reserve({ items: [{ sku, quantity }], ...channel });
        return 'admitted';
      } catch (error) {
        return reserveOutcomeOf(error);
      }
    },
    async stock(sku) {
      const rows = await handle.store.reads.stockBySku(sku);
      // Sellable units: a selling-rules variant's safety stock is never sold, so not counted.
      return {
        available: rows.reduce((sum, row) => sum + sellableOf(row), 0),
        reserved: rows.reduce((sum, row) => sum + row.reserved, 0),
      };
    },
    counters(): TargetCounters {
      const { retries, conflicts, batches } = stockroom.stats;
      return { retries, conflicts, batches: { ...batches } };
    },
    verifyLedger: () => verifyStore(handle.store),
    close: () => handle.dispose(),
  };
}
