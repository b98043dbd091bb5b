import { allocate } from '../allocation/allocate.js';
import type {
  AllocatableStock,
  AllocatableWarehouse,
  AllocationLine,
  AllocationOptions,
  AllocationShortfall,
} from '../allocation/allocation-plan.js';
import { sellableView } from '../domain/sellability.js';
import { attributeKits, expandKits, type PlannedLine } from '../kits/expand-kits.js';
import type { Kit } from '../kits/kit.js';

/** What reservation admission plans from: the lines and how to spread them. */
export interface ReservationPlanRequest extends AllocationOptions {
  readonly items: readonly AllocationLine[];
}

/** Every line can be filled: the reservation's lines, per (sku, warehouseId, kit). */
export interface ReservationPlan {
  readonly kind: 'plan';
  readonly allocations: readonly PlannedLine[];
}

/** The result of `planReservation`: the plan, or what each short SKU (or kit) lacked. */
export type ReservationPlanResult = ReservationPlan | AllocationShortfall;

const NO_KITS: ReadonlyMap<string, Kit> = new Map();

/**
 * The allocation step of reservation admission, shared by `reserve` (on the rows it read for
 * write, inside its transaction) and the whole-cart check (on rows read now, without writing),
 * so a check answers with exactly the plan a reservation would make on the same rows.
 *
 * This is the one place to add rules that narrow what a reservation may take (a sales channel's
 * warehouses, safety stock, per-cart limits): both callers then apply them alike. It is also the
 * one place kits become stock: kit items are expanded into their component lines here (see
 * `expandKits`), summed with the plain items of the same SKUs, and the planned component lines
 * carry their kit's SKU.
 *
 * @param rows - the rows of every stocked SKU of the request (kits' components included)
 * @param kits - the kits among the request's SKUs
 */
export function planReservation(
  request: ReservationPlanRequest,
  rows: readonly (AllocatableStock & { readonly safetyStock: number })[],
  warehouses: readonly AllocatableWarehouse[],
  kits: ReadonlyMap<string, Kit> = NO_KITS,
): ReservationPlanResult {
  // The request is its own allocation options (allocate reads only those fields), so nothing is
  // copied per plan; an empty regional preference still means none.
  const options: AllocationOptions =
    request.preferCountry === '' || request.preferRegion === ''
      ? {
          ...(request.strategy ? { strategy: request.strategy } : {}),
          ...(request.location ? { location: request.location } : {}),
          ...(request.preferCountry ? { preferCountry: request.preferCountry } : {}),
          ...(request.preferRegion ? { preferRegion: request.preferRegion } : {}),
          ...(request.warehouseIds ? { warehouseIds: request.warehouseIds } : {}),
        }
      : request;
  // Safety stock is never allocated: the plan sees each row's sellable units.
  const sellable = rows.some((row) => row.safetyStock !== 0) ? rows.map(sellableView) : rows;
  if (kits.size === 0 || !request.items.some((item) => kits.has(item.sku))) {
    return allocate(request.items, sellable, warehouses, options);
  }
  const expanded = expandKits(request.items, kits, sellable, warehouses, options);
  if (expanded.kind === 'shortfall') return expanded;
  const lines = expanded.lines.map(({ kitSku: _kit, ...line }) => line);
  const plan = allocate(lines, sellable, warehouses, options);
  if (plan.kind === 'shortfall') return plan;
  return { kind: 'plan', allocations: attributeKits(expanded.lines, plan.allocations) };
}
