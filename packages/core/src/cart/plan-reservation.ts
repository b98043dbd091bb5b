import { allocate } from '../allocation/allocate.js';
import type {
  AllocatableStock,
  AllocatableWarehouse,
  AllocationLine,
  AllocationOptions,
  AllocationResult,
} from '../allocation/allocation-plan.js';
import { sellableView } from '../domain/sellability.js';

/** What reservation admission plans from: the lines and how to spread them. */
export interface ReservationPlanRequest extends AllocationOptions {
  readonly items: readonly AllocationLine[];
}

/**
 * The allocation step of reservation admission, shared by `reserve` (on the rows it read for
 * write, inside its transaction) and the whole-cart check (on rows read now, without writing),
 * so a check answers with exactly the plan a reservation would make on the same rows.
 *
 * This is the one place to add rules that narrow what a reservation may take (a sales channel's
 * warehouses, safety stock, per-cart limits): both callers then apply them alike.
 */
export function planReservation(
  request: ReservationPlanRequest,
  rows: readonly (AllocatableStock & { readonly safetyStock: number })[],
  warehouses: readonly AllocatableWarehouse[],
): AllocationResult {
  // Safety stock is never allocated: the plan sees each row's sellable units. The request is
  // its own allocation options (allocate reads only those fields), so nothing is copied per
  // plan; an empty regional preference still means none.
  return allocate(
    request.items,
    rows.some((row) => row.safetyStock !== 0) ? rows.map(sellableView) : rows,
    warehouses,
    request.preferCountry === '' || request.preferRegion === ''
      ? {
          ...(request.strategy ? { strategy: request.strategy } : {}),
          ...(request.location ? { location: request.location } : {}),
          ...(request.preferCountry ? { preferCountry: request.preferCountry } : {}),
          ...(request.preferRegion ? { preferRegion: request.preferRegion } : {}),
          ...(request.warehouseIds ? { warehouseIds: request.warehouseIds } : {}),
        }
      : request,
  );
}
