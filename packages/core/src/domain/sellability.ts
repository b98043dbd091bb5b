import type { InventoryStock } from './inventory-stock.js';

/**
 * What checks and reservations may take from a row: `available - safetyStock`, never below 0.
 * Adjustments, transfers and reconciliation work on `available` itself.
 */
export function sellableOf(row: Pick<InventoryStock, 'available' | 'safetyStock'>): number {
  return Math.max(0, row.available - row.safetyStock);
}

/**
 * The row as checks and allocation see it: `available` replaced by the sellable units. Only for
 * deciding; the row written back is always the real one.
 */
export function sellableView<T extends Pick<InventoryStock, 'available' | 'safetyStock'>>(
  row: T,
): T {
  return row.safetyStock === 0 ? row : { ...row, available: sellableOf(row) };
}
