import type { AllocatableWarehouse, GeoPoint } from '../allocation-plan.js';
import { distanceKm } from '../haversine.js';
import { comparePriority, orderByPriority } from './priority.js';
import type { WarehouseCandidate } from './warehouse-candidate.js';

/**
 * Builds a comparator of warehouses by great-circle distance from `location`, nearest first.
 * Warehouses without coordinates come last; equal distances fall back to {@link comparePriority}.
 */
export function compareByDistanceFrom(
  location: GeoPoint,
): (a: AllocatableWarehouse, b: AllocatableWarehouse) => number {
  const distances = new Map<string, number>();
  const distanceOf = (warehouse: AllocatableWarehouse): number => {
    const known = distances.get(warehouse.id);
    if (known !== undefined) return known;
    const { latitude, longitude } = warehouse;
    const distance =
      latitude === null || longitude === null
        ? Number.POSITIVE_INFINITY
        : distanceKm(location, { latitude, longitude });
    // A NaN would make the sort inconsistent; treat it like a missing coordinate.
    const usable = Number.isNaN(distance) ? Number.POSITIVE_INFINITY : distance;
    distances.set(warehouse.id, usable);
    return usable;
  };
  return (a, b) => {
    const distanceA = distanceOf(a);
    const distanceB = distanceOf(b);
    if (distanceA !== distanceB) return distanceA < distanceB ? -1 : 1;
    return comparePriority(a, b);
  };
}

/**
 * The `nearest` strategy for one SKU: candidates by distance from `location` (see
 * {@link compareByDistanceFrom}). Without a location, falls back to the `priority` order.
 * Returns a new array.
 */
export function orderByNearest(
  candidates: readonly WarehouseCandidate[],
  location?: GeoPoint,
): WarehouseCandidate[] {
  if (location === undefined) return orderByPriority(candidates);
  const compare = compareByDistanceFrom(location);
  return [...candidates].sort((a, b) => compare(a.warehouse, b.warehouse));
}
