import type { LineMove } from './hold-parts.js';
import type { StockKey } from './inventory-stock.js';
import { heldOf, type Reservation, type ReservationLine } from './reservation.js';

/** One wanted item of a changed hold: the units of a SKU the hold should keep holding. */
export interface HoldItem {
  readonly sku: string;
  readonly quantity: number;
  /** Pins the item to one warehouse. */
  readonly warehouseId?: string;
}

/**
 * How a hold turns into the wanted items: the lines with the units kept (given-back units cut
 * from `quantity`, lines left empty dropped), the units given back per line, and the units still
 * to take (planned like a reservation's items).
 */
export interface HoldChangeSplit {
  readonly lines: readonly ReservationLine[];
  readonly releases: readonly LineMove[];
  readonly extras: readonly HoldItem[];
}

/**
 * Splits a change of hold into kept, released and extra units. Units already held are kept
 * first: a pinned item keeps units of its warehouse's line, an unpinned one keeps units of its
 * SKU's lines in line order (pinned items first); whatever the items do not keep is released,
 * whatever they want beyond what is held is extra. Committed and released units of a line are
 * left as they are.
 */
export function splitHoldChange(
  reservation: Reservation,
  items: readonly HoldItem[],
): HoldChangeSplit {
  const kept = reservation.lines.map(() => 0);
  const extras: HoldItem[] = [];
  const keep = (item: HoldItem) => {
    let rest = item.quantity;
    reservation.lines.forEach((line, index) => {
      if (rest === 0 || line.sku !== item.sku) return;
      if (item.warehouseId !== undefined && line.warehouseId !== item.warehouseId) return;
      const take = Math.min(heldOf(line) - kept[index]!, rest);
      kept[index]! += take;
      rest -= take;
    });
    if (rest > 0) extras.push({ ...item, quantity: rest });
  };
  for (const item of mergeItems(items)) if (item.warehouseId !== undefined) keep(item);
  for (const item of mergeItems(items)) if (item.warehouseId === undefined) keep(item);
  const releases: LineMove[] = [];
  const lines: ReservationLine[] = [];
  reservation.lines.forEach((line, index) => {
    const released = heldOf(line) - kept[index]!;
    if (released > 0) {
      releases.push({
        sku: line.sku,
        warehouseId: line.warehouseId,
        quantity: released,
        type: 'RELEASE',
      });
    }
    const quantity = line.quantity - released;
    if (quantity > 0) lines.push({ ...line, quantity });
  });
  return { lines, releases, extras };
}

/** Adds newly taken units to the lines: into the line of the same row, else as a new line. */
export function addToLines(
  lines: readonly ReservationLine[],
  taken: readonly (StockKey & { readonly quantity: number })[],
): ReservationLine[] {
  const next = [...lines];
  for (const allocation of taken) {
    const index = next.findIndex(
      (line) => line.sku === allocation.sku && line.warehouseId === allocation.warehouseId,
    );
    if (index >= 0) {
      const line = next[index]!;
      next[index] = { ...line, quantity: line.quantity + allocation.quantity };
    } else {
      next.push({
        sku: allocation.sku,
        warehouseId: allocation.warehouseId,
        quantity: allocation.quantity,
        refunded: 0,
        committed: 0,
        released: 0,
        preordered: 0,
        receiptId: null,
        expectedAt: null,
        backordered: 0,
      });
    }
  }
  return next;
}

/** Duplicate items summed: one per (sku, pinned warehouse), in first-seen order. */
function mergeItems(items: readonly HoldItem[]): HoldItem[] {
  const merged = new Map<string, HoldItem>();
  for (const item of items) {
    const key = `${item.sku}\u0000${item.warehouseId ?? ''}`;
    const seen = merged.get(key);
    merged.set(key, seen ? { ...seen, quantity: seen.quantity + item.quantity } : item);
  }
  return [...merged.values()];
}
