import type { Allocation } from '../allocation-plan.js';

/** What one warehouse still has of the requested SKUs. */
export interface WarehouseSupply {
  readonly warehouseId: string;
  /** Units free per SKU. */
  readonly available: ReadonlyMap<string, number>;
}

/**
 * The `fewest-shipments` strategy for a whole order, by greedy set cover: repeatedly pick the
 * warehouse that covers the most of the units still wanted and fill from it all it can. A
 * warehouse that fills every line covers the most units, so it is picked alone when one exists.
 *
 * Tiers are exhausted in order (regional preference): a later tier is used only for what every
 * warehouse of the earlier ones cannot fill. Inside a tier, equal coverage goes to the warehouse
 * listed first, so callers list each tier in tie-break order (nearer, priority, id).
 *
 * Stops when nothing more can be covered; the caller checks beforehand that supply suffices.
 *
 * @param demand - units wanted per SKU
 * @param tiers - candidate warehouses grouped by preference tier, most preferred tier first
 * @returns the allocations, one per (warehouse, SKU) taken from, in pick order
 */
export function chooseFewestShipments(
  demand: ReadonlyMap<string, number>,
  tiers: readonly (readonly WarehouseSupply[])[],
): Allocation[] {
  const wanted = new Map(demand);
  const allocations: Allocation[] = [];
  for (const tier of tiers) {
    const unused = [...tier];
    for (;;) {
      let bestIndex = -1;
      let bestCoverage = 0;
      unused.forEach((supply, index) => {
        const coverage = coverageOf(supply, wanted);
        // Strictly greater: the first listed wins ties.
        if (coverage > bestCoverage) {
          bestIndex = index;
          bestCoverage = coverage;
        }
      });
      if (bestIndex < 0) break;
      const [picked] = unused.splice(bestIndex, 1);
      if (picked === undefined) break;
      for (const [sku, quantity] of wanted) {
        const taken = Math.min(quantity, picked.available.get(sku) ?? 0);
        if (taken <= 0) continue;
        allocations.push({ sku, warehouseId: picked.warehouseId, quantity: taken });
        wanted.set(sku, quantity - taken);
      }
    }
  }
  return allocations;
}

function coverageOf(supply: WarehouseSupply, wanted: ReadonlyMap<string, number>): number {
  let coverage = 0;
  for (const [sku, quantity] of wanted) {
    coverage += Math.max(0, Math.min(quantity, supply.available.get(sku) ?? 0));
  }
  return coverage;
}
