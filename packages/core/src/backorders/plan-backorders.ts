import type {
  AllocatableWarehouse,
  Allocation,
  AllocationLine,
} from '../allocation/allocation-plan.js';
import { planReservation, type ReservationPlanRequest } from '../cart/plan-reservation.js';
import type { InventoryStock } from '../domain/inventory-stock.js';
import { sellableOf } from '../domain/sellability.js';
import { BackorderPolicy, type BackorderRule } from '../domain/sku-policy.js';
import { WarehouseStatus } from '../domain/warehouse.js';
import type { Shortfall } from '../errors/insufficient-stock-error.js';

/** One part of a reservation plan: `quantity` units, of which `backordered` wait for a restock. */
export interface BackorderAllocation extends Allocation {
  /** Units of `quantity` not held now: backordered on the row (0 for an ordinary allocation). */
  readonly backordered: number;
}

/** A plan whose allocations may carry backordered units, or the shortfalls. */
export type BackorderPlanResult =
  | { readonly kind: 'plan'; readonly allocations: readonly BackorderAllocation[] }
  | { readonly kind: 'shortfall'; readonly shortfalls: readonly Shortfall[] };

/** What the backorder plan reads of a row. */
export type BackorderPlanRow = Pick<
  InventoryStock,
  'sku' | 'warehouseId' | 'available' | 'safetyStock' | 'backordered'
>;

interface Excess {
  readonly shortfall: Shortfall;
  readonly units: number;
}

/**
 * Reservation planning with backorders. Without a shortfall it is `planReservation`. When
 * every short SKU's rule is `CONTINUE`, every sellable unit is held as usual and the excess of
 * each short entry is backordered on one row:
 * - a line pinned to a warehouse backorders on that warehouse's row;
 * - otherwise on the row the allocation strategy would choose if every eligible row could fill
 *   the excess (the nearest, the highest priority, the one with the most sellable units, …).
 * The row must exist in an ACTIVE (and, with a channel, allowed) warehouse, and its backorders
 * stay within the rule's `backorderLimit`; else the request is refused with the shortfall
 * (`available` then counts the sellable units plus the backorders the row could still take).
 * Pure: no I/O.
 */
export function planWithBackorders(
  request: ReservationPlanRequest,
  rows: readonly BackorderPlanRow[],
  warehouses: readonly AllocatableWarehouse[],
  rules: ReadonlyMap<string, BackorderRule>,
): BackorderPlanResult {
  const first = planReservation(request, rows, warehouses);
  if (first.kind === 'plan') {
    return {
      kind: 'plan',
      allocations: first.allocations.map((allocation) => ({ ...allocation, backordered: 0 })),
    };
  }
  const continues = (sku: string) => rules.get(sku)?.backorderPolicy === BackorderPolicy.CONTINUE;
  if (!first.shortfalls.every((shortfall) => continues(shortfall.sku))) return first;
  const excesses: Excess[] = first.shortfalls.map((shortfall) => ({
    shortfall,
    units: shortfall.requested - shortfall.available,
  }));
  const items = reduceItems(request.items, excesses);
  const held =
    items.length === 0
      ? { kind: 'plan' as const, allocations: [] }
      : planReservation({ ...request, items }, rows, warehouses);
  if (held.kind === 'shortfall') return first;

  const eligible = (warehouseId: string) =>
    warehouses.some(
      (warehouse) => warehouse.id === warehouseId && warehouse.status === WarehouseStatus.ACTIVE,
    ) &&
    (request.warehouseIds === undefined || request.warehouseIds.has(warehouseId));
  const added = new Map<string, number>();
  const backorders: BackorderAllocation[] = [];
  const refused: Shortfall[] = [];
  for (const { shortfall, units } of excesses) {
    const sku = shortfall.sku;
    const warehouseId =
      shortfall.warehouseId ?? preferredWarehouse(request, sku, units, rows, warehouses);
    const row =
      warehouseId !== undefined && eligible(warehouseId)
        ? rows.find((candidate) => candidate.sku === sku && candidate.warehouseId === warehouseId)
        : undefined;
    const key = `${sku}\u0000${warehouseId}`;
    const already = (row?.backordered ?? 0) + (added.get(key) ?? 0);
    const limit = rules.get(sku)?.backorderLimit ?? null;
    if (!row || (limit !== null && already + units > limit)) {
      const room = row ? (limit === null ? units : Math.max(0, limit - already)) : 0;
      refused.push({ ...shortfall, available: shortfall.available + room });
      continue;
    }
    added.set(key, (added.get(key) ?? 0) + units);
    backorders.push({ sku, warehouseId: row.warehouseId, quantity: units, backordered: units });
  }
  if (refused.length > 0) return { kind: 'shortfall', shortfalls: refused };
  return {
    kind: 'plan',
    allocations: mergeBackorders([
      ...held.allocations.map((allocation) => ({ ...allocation, backordered: 0 })),
      ...backorders,
    ]),
  };
}

/** The request's items less each short entry's excess (taken from its last items first). */
function reduceItems(
  items: readonly AllocationLine[],
  excesses: readonly Excess[],
): AllocationLine[] {
  const quantities = items.map((item) => item.quantity);
  for (const { shortfall, units } of excesses) {
    let left = units;
    for (let index = items.length - 1; index >= 0 && left > 0; index -= 1) {
      const item = items[index]!;
      if (item.sku !== shortfall.sku || item.warehouseId !== shortfall.warehouseId) continue;
      const taken = Math.min(left, quantities[index]!);
      quantities[index]! -= taken;
      left -= taken;
    }
  }
  return items
    .map((item, index) => ({ ...item, quantity: quantities[index]! }))
    .filter((item) => item.quantity > 0);
}

/**
 * The warehouse the strategy would pick for `units` of `sku` if every row could fill them: the
 * plan of one line over rows that each offer their sellable units plus `units`.
 */
function preferredWarehouse(
  request: ReservationPlanRequest,
  sku: string,
  units: number,
  rows: readonly BackorderPlanRow[],
  warehouses: readonly AllocatableWarehouse[],
): string | undefined {
  const view = rows
    .filter((row) => row.sku === sku)
    .map((row) => ({
      sku,
      warehouseId: row.warehouseId,
      available: sellableOf(row) + units,
      safetyStock: 0,
    }));
  const plan = planReservation({ ...request, items: [{ sku, quantity: units }] }, view, warehouses);
  return plan.kind === 'plan' ? plan.allocations[0]?.warehouseId : undefined;
}

/** Merges allocations per (sku, warehouseId), sorted by both. */
function mergeBackorders(allocations: readonly BackorderAllocation[]): BackorderAllocation[] {
  const merged = new Map<string, BackorderAllocation>();
  for (const allocation of allocations) {
    const key = `${allocation.sku}\u0000${allocation.warehouseId}`;
    const found = merged.get(key);
    merged.set(
      key,
      found
        ? {
            ...found,
            quantity: found.quantity + allocation.quantity,
            backordered: found.backordered + allocation.backordered,
          }
        : allocation,
    );
  }
  return [...merged.values()].sort((left, right) =>
    left.sku === right.sku
      ? left.warehouseId < right.warehouseId
        ? -1
        : left.warehouseId > right.warehouseId
          ? 1
          : 0
      : left.sku < right.sku
        ? -1
        : 1,
  );
}
