import type { AllocatableWarehouse } from '../allocation-plan.js';
import { compareIds, type WarehouseCandidate } from './warehouse-candidate.js';

/**
 * Orders warehouses by ascending `priority`, then by id ascending. Every other ordering ends
 * on this one to break its own ties.
 */
export function comparePriority(a: AllocatableWarehouse, b: AllocatableWarehouse): number {
  if (a.priority !== b.priority) return a.priority < b.priority ? -1 : 1;
  return compareIds(a.id, b.id);
}

/**
 * The `priority` strategy for one SKU: candidates by ascending warehouse `priority`, ties by id.
 * Returns a new array.
 */
export function orderByPriority(candidates: readonly WarehouseCandidate[]): WarehouseCandidate[] {
  return [...candidates].sort((a, b) => comparePriority(a.warehouse, b.warehouse));
}
