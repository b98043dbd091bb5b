import { comparePriority } from './priority.js';
import type { WarehouseCandidate } from './warehouse-candidate.js';

/**
 * The `most-available` strategy for one SKU: candidates by descending units available, ties by
 * warehouse `priority`, then id. Returns a new array.
 */
export function orderByMostAvailable(
  candidates: readonly WarehouseCandidate[],
): WarehouseCandidate[] {
  return [...candidates].sort(
    (a, b) => b.available - a.available || comparePriority(a.warehouse, b.warehouse),
  );
}
