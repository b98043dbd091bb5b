import type { AvailabilityResult } from '../services/availability-service.js';
import { type DisplayStrategy, StockLevel } from './sales-channel.js';

/** A quantity as a display strategy shows it. */
export interface StockDisplay {
  /** The strategy that produced it. */
  readonly strategy: DisplayStrategy['kind'];
  /** `OUT_OF_STOCK` at 0; `LOW_STOCK` at or below a `levels` strategy's `lowStockAt`. */
  readonly level: StockLevel;
  /** What a storefront prints: `"42"`, `"10+"`, or the level. */
  readonly text: string;
  /** The number shown (`exact`: the quantity; `capped`: at most the cap); null for `levels`. */
  readonly quantity: number | null;
}

/**
 * Shows `quantity` under `strategy`. Pure.
 *
 * @example
 * ```ts
 * displayQuantity(42, { kind: 'capped', cap: 10 }); // { quantity: 10, text: '10+', level: 'IN_STOCK', … }
 * displayQuantity(3, { kind: 'levels', lowStockAt: 5 }); // { quantity: null, text: 'LOW_STOCK', … }
 * ```
 */
export function displayQuantity(quantity: number, strategy: DisplayStrategy): StockDisplay {
  const units = Math.max(0, quantity);
  const lowStockAt = strategy.kind === 'levels' ? strategy.lowStockAt : 0;
  const level =
    units === 0
      ? StockLevel.OUT_OF_STOCK
      : units <= lowStockAt
        ? StockLevel.LOW_STOCK
        : StockLevel.IN_STOCK;
  switch (strategy.kind) {
    case 'exact':
      return { strategy: 'exact', level, text: String(units), quantity: units };
    case 'capped':
      return units > strategy.cap
        ? { strategy: 'capped', level, text: `${strategy.cap}+`, quantity: strategy.cap }
        : { strategy: 'capped', level, text: String(units), quantity: units };
    case 'levels':
      return { strategy: 'levels', level, text: level, quantity: null };
  }
}

/** One warehouse of a displayed availability answer. */
export interface DisplayedWarehouse {
  readonly warehouseId: string;
  readonly warehouseName: string;
  /** The shown quantity: capped under `capped`, null under `levels`. */
  readonly availableQuantity: number | null;
  readonly distanceKm?: number;
  readonly display: StockDisplay;
}

/** An availability answer as a storefront is allowed to see it. */
export interface DisplayedAvailability {
  readonly sku: string;
  readonly requestedQuantity: number;
  /** Whether `requestedQuantity` can be sold (a yes/no reveals no number). */
  readonly isAvailable: boolean;
  /**
   * Whether a reservation of `requestedQuantity` would be taken as a backorder (a yes/no, as
   * `isAvailable`: the number itself would tell the exact stock).
   */
  readonly wouldBackorder: boolean;
  /** The shown total: capped under `capped`, null under `levels`. */
  readonly availableQuantity: number | null;
  readonly display: StockDisplay;
  readonly warehouses: readonly DisplayedWarehouse[];
  /** The channel the answer is limited to, when there is one. */
  readonly channelId?: string;
}

/**
 * Applies a display strategy to an availability answer: every quantity (the total and each
 * warehouse's) goes through {@link displayQuantity}; `rowVersions` is left out (it would tell
 * how busy a SKU is). Under `exact` the numbers are unchanged.
 */
export function presentAvailability(
  result: AvailabilityResult,
  strategy: DisplayStrategy,
): DisplayedAvailability {
  const total = displayQuantity(result.availableQuantity, strategy);
  return {
    sku: result.sku,
    requestedQuantity: result.requestedQuantity,
    isAvailable: result.isAvailable,
    wouldBackorder: result.backorderedQuantity > 0,
    availableQuantity: total.quantity,
    display: total,
    warehouses: result.warehouses.map((line) => {
      const shown = displayQuantity(line.availableQuantity, strategy);
      return {
        warehouseId: line.warehouseId,
        warehouseName: line.warehouseName,
        availableQuantity: shown.quantity,
        ...(line.distanceKm === undefined ? {} : { distanceKm: line.distanceKm }),
        display: shown,
      };
    }),
    ...(result.channelId === undefined ? {} : { channelId: result.channelId }),
  };
}
