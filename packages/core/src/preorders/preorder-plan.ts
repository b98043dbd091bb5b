import type {
  AllocatableStock,
  AllocatableWarehouse,
  AllocationLine,
  AllocationResult,
} from '../allocation/allocation-plan.js';
import { planReservation, type ReservationPlanRequest } from '../cart/plan-reservation.js';
import { type IncomingReceipt, preorderableOf } from '../domain/incoming-receipt.js';
import type { ReservationLine } from '../domain/reservation.js';
import { WarehouseStatus } from '../domain/warehouse.js';
import type { Shortfall } from '../errors/insufficient-stock-error.js';

/** What a reservation takes when sellable units run out: the held part and the preordered lines. */
export interface PreorderPlan {
  /** The request's items cut down to what the rows can hold now (zero-unit items left out). */
  readonly heldItems: readonly AllocationLine[];
  /** One line per receipt units are promised from (`quantity` = `preordered`, nothing held). */
  readonly lines: readonly ReservationLine[];
}

/**
 * Covers a reservation's shortfalls with open receipts (pure: no I/O, no clock). Each short
 * part — a pinned (sku, warehouse) or a SKU's unpinned rest — keeps what the rows can hold and
 * takes the missing units from the SKU's receipts, earliest `expectedAt` first: a pinned part
 * only from receipts of its warehouse, an unpinned one from receipts of warehouses
 * `eligible` accepts (ACTIVE, inside the request's sales channel). Returns null when a
 * shortfall's SKU does not allow preorders or its receipts cannot cover it: the request is then
 * refused as before.
 *
 * `receipts` holds the open receipts as the batch sees them (earlier admissions' promises
 * counted), sorted as `ReceiptRows.open` sorts them.
 */
export function planPreorder(
  items: readonly AllocationLine[],
  shortfalls: readonly Shortfall[],
  receipts: readonly IncomingReceipt[],
  allowPreorder: (sku: string) => boolean,
  eligible: (warehouseId: string) => boolean,
): PreorderPlan | null {
  const taken = new Map<string, number>();
  const lines: ReservationLine[] = [];
  for (const shortfall of shortfalls) {
    if (!allowPreorder(shortfall.sku)) return null;
    let missing = shortfall.requested - shortfall.available;
    for (const receipt of receipts) {
      if (missing === 0) break;
      if (receipt.sku !== shortfall.sku) continue;
      const inPlace =
        shortfall.warehouseId === undefined
          ? eligible(receipt.warehouseId)
          : receipt.warehouseId === shortfall.warehouseId;
      if (!inPlace) continue;
      const free = preorderableOf(receipt) - (taken.get(receipt.id) ?? 0);
      const units = Math.min(free, missing);
      if (units <= 0) continue;
      taken.set(receipt.id, (taken.get(receipt.id) ?? 0) + units);
      missing -= units;
      lines.push({
        sku: receipt.sku,
        warehouseId: receipt.warehouseId,
        quantity: units,
        refunded: 0,
        committed: 0,
        released: 0,
        backordered: 0,
        preordered: units,
        receiptId: receipt.id,
        expectedAt: receipt.expectedAt,
      });
    }
    if (missing > 0) return null;
  }
  return { heldItems: heldItemsOf(items, shortfalls), lines };
}

/** The items with each short part cut down to the units its shortfall says are available. */
function heldItemsOf(
  items: readonly AllocationLine[],
  shortfalls: readonly Shortfall[],
): AllocationLine[] {
  const keyOf = (sku: string, warehouseId: string | undefined) =>
    `${sku}\u0000${warehouseId ?? ''}`;
  const totals = new Map<string, AllocationLine>();
  for (const item of items) {
    const key = keyOf(item.sku, item.warehouseId);
    const sum = totals.get(key);
    totals.set(key, { ...item, quantity: (sum?.quantity ?? 0) + item.quantity });
  }
  for (const shortfall of shortfalls) {
    const key = keyOf(shortfall.sku, shortfall.warehouseId);
    const item = totals.get(key);
    if (item) totals.set(key, { ...item, quantity: shortfall.available });
  }
  return [...totals.values()].filter((item) => item.quantity > 0);
}

/** A reservation plan whose shortfalls open receipts cover. */
export interface CoveredPlan {
  /** Where the held units come from. */
  readonly plan: Extract<AllocationResult, { kind: 'plan' }>;
  /** The preordered lines. */
  readonly preordered: readonly ReservationLine[];
}

/**
 * The step reservation admission and the whole-cart check share when a plan is short: when
 * every short SKU allows preorders and the receipts cover the shortfalls, the plan of what the
 * rows can hold plus the preordered lines; null otherwise (the request is refused).
 */
export function coverWithPreorders(
  request: ReservationPlanRequest,
  shortfalls: readonly Shortfall[],
  rows: readonly (AllocatableStock & { readonly safetyStock: number })[],
  warehouses: readonly AllocatableWarehouse[],
  receipts: readonly IncomingReceipt[],
  allowPreorder: ReadonlySet<string>,
): CoveredPlan | null {
  const allowed = request.warehouseIds;
  const preorder = planPreorder(
    request.items,
    shortfalls,
    receipts,
    (sku) => allowPreorder.has(sku),
    (warehouseId) =>
      warehouses.some(
        (warehouse) => warehouse.id === warehouseId && warehouse.status === WarehouseStatus.ACTIVE,
      ) &&
      (allowed === undefined || allowed.has(warehouseId)),
  );
  if (!preorder) return null;
  const plan = planReservation({ ...request, items: preorder.heldItems }, rows, warehouses);
  return plan.kind === 'plan' ? { plan, preordered: preorder.lines } : null;
}
