import { InsufficientStockError } from '../errors/insufficient-stock-error.js';
import { ValidationError } from '../errors/validation-error.js';

/**
 * The buckets every stock row keeps. All are non-negative integers. `backordered` counts units
 * promised to reservations but not on hand: it is not part of `total`.
 */
export interface StockQuantities {
  /** Units that can be sold or reserved now. */
  readonly available: number;
  /** Units held by ACTIVE reservations. */
  readonly reserved: number;
  /** Units on hand that cannot be sold. */
  readonly damaged: number;
  /** Units shipped to this warehouse by a transfer and not yet received. */
  readonly inTransit: number;
  /**
   * Units reservations took beyond what was sellable (backorders), waiting for a restock: the
   * sum of the backordered units of the lines that still wait. Not part of `total`.
   */
  readonly backordered: number;
}

/** A signed change per bucket (the ledger's `deltas`). */
export type StockDeltas = StockQuantities;

/** Identifies one stock row. */
export interface StockKey {
  readonly sku: string;
  readonly warehouseId: string;
}

/** Replenishment and alert settings of one stock row. */
export interface StockSettings {
  /** An alert fires when `available` is at or below this. */
  readonly lowStockThreshold: number;
  /** Replenishment suggests an order when `available + inTransit` is at or below this. */
  readonly reorderPoint: number;
  /** The most units (`total`) the row may hold; `null` for no limit. */
  readonly maxStockLevel: number | null;
  /**
   * Units of `available` that are never sold (safety stock): checks and reservations see
   * `available - safetyStock` (never below 0); adjustments, transfers and reconciliation see
   * all of `available`. See `sellableOf`.
   */
  readonly safetyStock: number;
}

/**
 * One stock row: a SKU in a warehouse. Readonly data; change it with the pure transition
 * functions in this module, each of which returns a new row or throws a typed error.
 *
 * `version` counts the ledger movements applied to the row: the movement that produced
 * version `n` is the row's `n`-th movement, so replaying a row's movements ordered by version
 * rebuilds it exactly.
 */
export interface InventoryStock extends StockKey, StockQuantities, StockSettings {
  /** `available + reserved + damaged + inTransit`, stored with the row (not `backordered`). */
  readonly total: number;
  readonly version: number;
  readonly lastRestockedAt: Date | null;
  readonly lastSoldAt: Date | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** The quantities of an empty row. */
export const ZERO_QUANTITIES: StockQuantities = Object.freeze({
  available: 0,
  reserved: 0,
  damaged: 0,
  inTransit: 0,
  backordered: 0,
});

/** Default settings for rows created without explicit ones. */
export const DEFAULT_STOCK_SETTINGS: StockSettings = Object.freeze({
  lowStockThreshold: 10,
  reorderPoint: 20,
  maxStockLevel: null,
  safetyStock: 0,
});

/** `available + reserved + damaged + inTransit` (backordered units are not on hand). */
export function totalOf(quantities: StockQuantities): number {
  return quantities.available + quantities.reserved + quantities.damaged + quantities.inTransit;
}

/** A string key for maps: `sku` and `warehouseId` joined by a separator that ids cannot hold. */
export function stockKeyOf(key: StockKey): string {
  return `${key.sku}\u0000${key.warehouseId}`;
}

/** Orders stock keys canonically (sku, then warehouseId): the lock order that avoids deadlocks. */
export function compareStockKeys(left: StockKey, right: StockKey): number {
  if (left.sku !== right.sku) return left.sku < right.sku ? -1 : 1;
  if (left.warehouseId !== right.warehouseId) return left.warehouseId < right.warehouseId ? -1 : 1;
  return 0;
}

/** A new, empty row (version 0, no movements yet). */
export function createStock(
  key: StockKey,
  now: Date,
  settings: Partial<StockSettings> = {},
): InventoryStock {
  return {
    sku: key.sku,
    warehouseId: key.warehouseId,
    ...ZERO_QUANTITIES,
    total: 0,
    ...DEFAULT_STOCK_SETTINGS,
    ...settings,
    version: 0,
    lastRestockedAt: null,
    lastSoldAt: null,
    createdAt: now,
    updatedAt: now,
  };
}

/**
 * A new, empty row with every setting given: what {@link createStock} makes of complete
 * settings, as one object literal instead of three spreads (a bulk import creates a row for
 * each item of a chunk that has none).
 */
export function emptyStockRow(key: StockKey, now: Date, settings: StockSettings): InventoryStock {
  return {
    sku: key.sku,
    warehouseId: key.warehouseId,
    available: 0,
    reserved: 0,
    damaged: 0,
    inTransit: 0,
    backordered: 0,
    total: 0,
    lowStockThreshold: settings.lowStockThreshold,
    reorderPoint: settings.reorderPoint,
    maxStockLevel: settings.maxStockLevel,
    safetyStock: settings.safetyStock,
    version: 0,
    lastRestockedAt: null,
    lastSoldAt: null,
    createdAt: now,
    updatedAt: now,
  };
}

/** Adds signed deltas bucket by bucket. */
export function addQuantities(left: StockQuantities, right: StockQuantities): StockQuantities {
  return {
    available: left.available + right.available,
    reserved: left.reserved + right.reserved,
    damaged: left.damaged + right.damaged,
    inTransit: left.inTransit + right.inTransit,
    backordered: left.backordered + right.backordered,
  };
}

/** The bucket-wise difference `after - before`. */
export function subtractQuantities(
  after: StockQuantities,
  before: StockQuantities,
): StockQuantities {
  return {
    available: after.available - before.available,
    reserved: after.reserved - before.reserved,
    damaged: after.damaged - before.damaged,
    inTransit: after.inTransit - before.inTransit,
    backordered: after.backordered - before.backordered,
  };
}

/** True when every bucket is zero. */
export function isZeroQuantities(quantities: StockQuantities): boolean {
  return (
    quantities.available === 0 &&
    quantities.reserved === 0 &&
    quantities.damaged === 0 &&
    quantities.inTransit === 0 &&
    quantities.backordered === 0
  );
}

/** Picks the buckets out of a row. */
export function quantitiesOf(stock: StockQuantities): StockQuantities {
  return {
    available: stock.available,
    reserved: stock.reserved,
    damaged: stock.damaged,
    inTransit: stock.inTransit,
    backordered: stock.backordered,
  };
}

/** Builds a deltas value with zeros for the buckets not named. */
export function deltas(partial: Partial<StockQuantities>): StockDeltas {
  return { ...ZERO_QUANTITIES, ...partial };
}

/**
 * Applies signed deltas to a row as one movement: bumps `version` by one and sets `updatedAt`.
 * @throws INSUFFICIENT_STOCK when `available` would go negative (the row is unchanged)
 * @throws VALIDATION_FAILED when another bucket would go negative (a bug or a corrupt row)
 */
export function applyDeltas(stock: InventoryStock, change: StockDeltas, now: Date): InventoryStock {
  const next = addQuantities(stock, change);
  if (next.available < 0) {
    throw new InsufficientStockError([
      {
        sku: stock.sku,
        warehouseId: stock.warehouseId,
        requested: -change.available,
        available: stock.available,
      },
    ]);
  }
  for (const bucket of ['reserved', 'damaged', 'inTransit', 'backordered'] as const) {
    if (next[bucket] < 0) {
      throw new ValidationError([
        {
          path: bucket,
          message: `${stock.sku}@${stock.warehouseId} holds ${stock[bucket]} ${bucket}; cannot take ${-change[bucket]}`,
        },
      ]);
    }
  }
  return { ...stock, ...next, total: totalOf(next), version: stock.version + 1, updatedAt: now };
}

/**
 * A transition of one stock row: returns the row after one movement (version bumped by one) or
 * throws a typed error. The change set applies every quantity change through one of these.
 */
export type StockTransition = (stock: InventoryStock, now: Date) => InventoryStock;

/** Moves `quantity` from available to reserved. @throws INSUFFICIENT_STOCK */
export function reserve(stock: InventoryStock, quantity: number, now: Date): InventoryStock {
  return applyDeltas(stock, deltas({ available: -quantity, reserved: quantity }), now);
}

/**
 * Takes `held` units from available to reserved and records `backordered` more units as
 * waiting for a restock (a reservation beyond what is sellable). @throws INSUFFICIENT_STOCK
 */
export function reserveWithBackorder(
  stock: InventoryStock,
  held: number,
  backordered: number,
  now: Date,
): InventoryStock {
  return applyDeltas(
    stock,
    deltas({ available: -held, reserved: held, backordered: backordered }),
    now,
  );
}

/**
 * Moves `quantity` from reserved back to available (a release or an expiry), and drops
 * `backordered` waiting units of the line from the row's backorders.
 */
export function unreserve(
  stock: InventoryStock,
  quantity: number,
  now: Date,
  backordered = 0,
): InventoryStock {
  return applyDeltas(
    stock,
    deltas({ available: quantity, reserved: -quantity, backordered: -backordered }),
    now,
  );
}

/**
 * Fills `quantity` backordered units from available: they leave the row's backorders and
 * become held (`reserved`) for an ACTIVE reservation, or leave as sold (`sold`) for a committed
 * one. @throws INSUFFICIENT_STOCK
 */
export function fillBackorder(
  stock: InventoryStock,
  quantity: number,
  sold: boolean,
  now: Date,
): InventoryStock {
  // `lastSoldAt` stays: the sale was the commit's (its SALE movement), as the ledger tells it.
  return applyDeltas(
    stock,
    deltas({ available: -quantity, reserved: sold ? 0 : quantity, backordered: -quantity }),
    now,
  );
}

/** Takes `quantity` out of reserved as sold (the units leave the warehouse). */
export function sell(stock: InventoryStock, quantity: number, now: Date): InventoryStock {
  return { ...applyDeltas(stock, deltas({ reserved: -quantity }), now), lastSoldAt: now };
}

/** Adds `quantity` to available (a restock). */
export function restock(stock: InventoryStock, quantity: number, now: Date): InventoryStock {
  return { ...applyDeltas(stock, deltas({ available: quantity }), now), lastRestockedAt: now };
}

/**
 * Changes available by a signed `change` (an adjustment, a return, a refund).
 * @throws INSUFFICIENT_STOCK when available would go negative
 */
export function adjustAvailable(stock: InventoryStock, change: number, now: Date): InventoryStock {
  // A literal, not `deltas(…)`: a bulk import adjusts every one of its rows.
  return applyDeltas(
    stock,
    { available: change, reserved: 0, damaged: 0, inTransit: 0, backordered: 0 },
    now,
  );
}

/** Moves `quantity` from available to damaged. @throws INSUFFICIENT_STOCK */
export function markDamaged(stock: InventoryStock, quantity: number, now: Date): InventoryStock {
  return applyDeltas(stock, deltas({ available: -quantity, damaged: quantity }), now);
}

/** Takes `quantity` damaged units off the books (a write-off). @throws INSUFFICIENT_STOCK */
export function writeOffDamaged(
  stock: InventoryStock,
  quantity: number,
  now: Date,
): InventoryStock {
  return applyDeltas(stock, deltas({ damaged: -quantity }), now);
}

/** Moves `quantity` from damaged back to available (units fit for sale again). @throws INSUFFICIENT_STOCK */
export function restoreDamaged(stock: InventoryStock, quantity: number, now: Date): InventoryStock {
  return applyDeltas(stock, deltas({ damaged: -quantity, available: quantity }), now);
}

/** Takes `quantity` out of available for a transfer leaving the row. @throws INSUFFICIENT_STOCK */
export function shipOut(stock: InventoryStock, quantity: number, now: Date): InventoryStock {
  return applyDeltas(stock, deltas({ available: -quantity }), now);
}

/** Adds `quantity` to in-transit: a transfer shipped towards the row. */
export function expectInbound(stock: InventoryStock, quantity: number, now: Date): InventoryStock {
  return applyDeltas(stock, deltas({ inTransit: quantity }), now);
}

/** Moves `quantity` from in-transit to available: a transfer received by the row. */
export function receiveInbound(stock: InventoryStock, quantity: number, now: Date): InventoryStock {
  return applyDeltas(stock, deltas({ inTransit: -quantity, available: quantity }), now);
}

/**
 * Bumps the version for a ledger entry that explains a difference the row already holds
 * (reconciliation): the quantities stay as they are.
 */
export function recordDifference(stock: InventoryStock, now: Date): InventoryStock {
  return { ...stock, version: stock.version + 1, updatedAt: now };
}
