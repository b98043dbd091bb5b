import type { InventoryStock } from '../domain/inventory-stock.js';
import { sellableOf } from '../domain/sellability.js';
import {
  type AvailabilityCache,
  availabilityVersion,
  type CachedAvailability,
  type SoldOutGuard,
} from '../ports/availability-cache.js';
import type { PendingWrites } from './pending-writes.js';
import type { CommitEffects } from './service-context.js';

/** A SKU's cache value from its rows. */
export function availabilityOf(sku: string, rows: readonly InventoryStock[]): CachedAvailability {
  return {
    sku,
    rows: rows.map((row) => ({
      warehouseId: row.warehouseId,
      // Checks see the sellable units: safety stock is never offered.
      available: sellableOf(row),
      version: row.version,
    })),
  };
}

/**
 * The cache values a commit leaves, for the SKUs among `touched` whose rows the writer holds
 * all of (`complete`): `rows` is every row the writer tracked, as it will commit them.
 */
export function committedValues(
  rows: Iterable<InventoryStock>,
  touched: ReadonlySet<string>,
  complete: ReadonlySet<string>,
): CachedAvailability[] {
  const bySku = new Map<string, InventoryStock[]>();
  for (const row of rows) {
    if (!touched.has(row.sku) || !complete.has(row.sku)) continue;
    const list = bySku.get(row.sku);
    if (list) list.push(row);
    else bySku.set(row.sku, [row]);
  }
  return [...bySku].map(([sku, list]) =>
    availabilityOf(
      sku,
      list.sort((left, right) => (left.warehouseId < right.warehouseId ? -1 : 1)),
    ),
  );
}

/** What {@link applyCommitEffects} works with (already wrapped to never throw). */
export interface CommitTargets {
  readonly cache: AvailabilityCache | undefined;
  /** Skips the cache update of effects it already applied at commit. */
  readonly pendingWrites?: PendingWrites | undefined;
  readonly soldOutGuard: SoldOutGuard | undefined;
  readonly cacheTtlMs: number;
  readonly soldOutTtlMs: number;
}

/**
 * After a commit: writes the committed values through the cache (`refill`), invalidates blind
 * the touched SKUs without one (unless that was done at commit by {@link PendingWrites}), clears the sold-out marks of replenished SKUs and marks the
 * emptied ones, each stamped with the SKU's committed version when known.
 */
export async function applyCommitEffects(
  targets: CommitTargets,
  effects: CommitEffects,
): Promise<void> {
  const { cache, soldOutGuard } = targets;
  const values = effects.values ?? [];
  const versions: Record<string, number> = {};
  for (const value of values) versions[value.sku] = availabilityVersion(value);
  const jobs: Promise<void>[] = [];
  const applied = targets.pendingWrites?.wasApplied(effects) ?? false;
  if (cache && effects.touched.length > 0 && !applied) {
    const blind = effects.touched.filter((sku) => versions[sku] === undefined);
    if (values.length > 0) jobs.push(cache.refill(values, targets.cacheTtlMs));
    if (blind.length > 0) jobs.push(cache.delete(blind));
  }
  if (soldOutGuard) {
    if (effects.replenished.length > 0)
      jobs.push(soldOutGuard.clear(effects.replenished, versions));
    for (const sku of effects.soldOut)
      jobs.push(soldOutGuard.markSoldOut(sku, targets.soldOutTtlMs, versions[sku]));
  }
  await Promise.all(jobs);
}
