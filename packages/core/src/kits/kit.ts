/** How a kit's units ship: every component of one kit unit from one warehouse, or from any. */
export type KitShipping = 'SINGLE_WAREHOUSE' | 'SPLIT';

/** The shipping modes, for validation and docs. */
export const KIT_SHIPPING: readonly KitShipping[] = ['SINGLE_WAREHOUSE', 'SPLIT'];

/** The most components one kit may have. */
export const MAX_KIT_COMPONENTS = 50;

/** One component of a kit: units of a stocked SKU in one kit unit. */
export interface KitComponent {
  readonly sku: string;
  /** Units of `sku` per kit unit (a positive integer). */
  readonly quantity: number;
}

/**
 * A kit (bundle): a SKU that is never stocked itself and is made of other SKUs (Medusa inventory
 * kits, Shopify variant components). Checks and reservations naming it work on its components:
 * its availability in a warehouse is the least, over its components, of
 * `floor(sellable ÷ quantity)`, and reserving it reserves every component unit, all or nothing.
 */
export interface Kit {
  readonly sku: string;
  /** Its components, sorted by SKU, each SKU once; components are never kits themselves. */
  readonly components: readonly KitComponent[];
  /** @default 'SINGLE_WAREHOUSE' */
  readonly shipping: KitShipping;
  readonly version: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** The sellable units of one component SKU in one warehouse. */
export interface ComponentSupply {
  readonly sku: string;
  readonly warehouseId: string;
  /** Sellable units (after safety stock). */
  readonly available: number;
}

/**
 * Kit units each warehouse can fill on its own: the least, over the components, of
 * `floor(sellable ÷ quantity)`. Warehouses missing a component are left out, and so are
 * warehouses filtered out by `allowed`.
 */
export function kitUnitsByWarehouse(
  kit: Pick<Kit, 'components'>,
  supply: readonly ComponentSupply[],
  allowed: (warehouseId: string) => boolean = () => true,
): Map<string, number> {
  const units = new Map<string, Map<string, number>>();
  for (const row of supply) {
    if (!allowed(row.warehouseId)) continue;
    let bySku = units.get(row.warehouseId);
    if (!bySku) {
      bySku = new Map();
      units.set(row.warehouseId, bySku);
    }
    bySku.set(row.sku, (bySku.get(row.sku) ?? 0) + Math.max(0, row.available));
  }
  const result = new Map<string, number>();
  for (const [warehouseId, bySku] of units) {
    let least = Number.POSITIVE_INFINITY;
    for (const component of kit.components) {
      least = Math.min(least, Math.floor((bySku.get(component.sku) ?? 0) / component.quantity));
    }
    if (Number.isFinite(least)) result.set(warehouseId, least);
  }
  return result;
}

/**
 * Kit units the allowed warehouses can fill together: for `SINGLE_WAREHOUSE` kits the sum of
 * what each warehouse fills alone, for `SPLIT` kits the least, over the components, of
 * `floor(sellable over every warehouse ÷ quantity)`.
 */
export function kitUnitsAvailable(
  kit: Pick<Kit, 'components' | 'shipping'>,
  supply: readonly ComponentSupply[],
  allowed: (warehouseId: string) => boolean = () => true,
): number {
  if (kit.shipping === 'SINGLE_WAREHOUSE') {
    let sum = 0;
    for (const units of kitUnitsByWarehouse(kit, supply, allowed).values()) sum += units;
    return sum;
  }
  const totals = new Map<string, number>();
  for (const row of supply) {
    if (allowed(row.warehouseId))
      totals.set(row.sku, (totals.get(row.sku) ?? 0) + Math.max(0, row.available));
  }
  let least = Number.POSITIVE_INFINITY;
  for (const component of kit.components) {
    least = Math.min(least, Math.floor((totals.get(component.sku) ?? 0) / component.quantity));
  }
  return Number.isFinite(least) ? least : 0;
}
