import type { AllocatableWarehouse, AllocationOptions } from './allocation-plan.js';

/** The options that drive regional preference. */
export type RegionalPreference = Pick<AllocationOptions, 'preferCountry' | 'preferRegion'>;

/**
 * The preference tier of a warehouse: `0` when its country is `preferCountry`, `1` when its
 * region is `preferRegion`, `2` otherwise. With neither option set, every warehouse is tier `2`.
 */
export function regionalTier(
  warehouse: AllocatableWarehouse,
  preference: RegionalPreference,
): number {
  if (preference.preferCountry !== undefined && warehouse.country === preference.preferCountry) {
    return 0;
  }
  if (preference.preferRegion !== undefined && warehouse.region === preference.preferRegion) {
    return 1;
  }
  return 2;
}

/**
 * Splits an ordered list into its non-empty preference tiers, most preferred first, keeping the
 * given order inside each tier.
 */
export function groupByRegionalTier<T>(
  ordered: readonly T[],
  warehouseOf: (item: T) => AllocatableWarehouse,
  preference: RegionalPreference,
): T[][] {
  // Without a preference every item is tier 2: one tier, in the given order.
  if (preference.preferCountry === undefined && preference.preferRegion === undefined)
    return ordered.length > 0 ? [ordered.slice()] : [];
  const tiers: T[][] = [[], [], []];
  for (const item of ordered) {
    tiers[regionalTier(warehouseOf(item), preference)]?.push(item);
  }
  return tiers.filter((tier) => tier.length > 0);
}
