import {
  type InventoryStock,
  restoreDamaged,
  type StockTransition,
  writeOffDamaged,
} from '../domain/inventory-stock.js';
import type { ChangeContext, MovementType } from '../domain/movement.js';
import { InsufficientStockError } from '../errors/insufficient-stock-error.js';
import { NotFoundError } from '../errors/not-found-error.js';
import { ValidationError } from '../errors/validation-error.js';

/** The adjustments that take units out of the `damaged` bucket. */
export type DamagedUnitsType = 'WRITE_OFF' | 'RESTORE';

/** The damaged-unit adjustment kinds, for validation and docs. */
export const DAMAGED_UNITS_TYPES: readonly DamagedUnitsType[] = ['WRITE_OFF', 'RESTORE'];

/** Whether an adjustment type takes units out of `damaged`. */
export function isDamagedUnitsType(type: string): type is DamagedUnitsType {
  return type === 'WRITE_OFF' || type === 'RESTORE';
}

/**
 * The movement of a damaged-unit adjustment: `WRITE_OFF` removes `quantity` damaged units from
 * the row (its `total` drops), `RESTORE` moves them back to `available`.
 */
export function damagedUnitsMovement(
  type: DamagedUnitsType,
  quantity: number,
): { type: MovementType; transition: StockTransition; availableChange: number } {
  return type === 'WRITE_OFF'
    ? {
        type,
        transition: (stock, now) => writeOffDamaged(stock, quantity, now),
        availableChange: 0,
      }
    : {
        type,
        transition: (stock, now) => restoreDamaged(stock, quantity, now),
        availableChange: quantity,
      };
}

/**
 * Checks a write-off needs a reason (the ledger must say why units left the books).
 * @throws VALIDATION_FAILED when a `WRITE_OFF` has no reason
 */
export function checkDamagedUnitsContext(type: DamagedUnitsType, context: ChangeContext): void {
  if (type === 'WRITE_OFF' && !context.reason?.trim()) {
    throw new ValidationError([{ path: 'reason', message: 'a write-off needs a reason' }]);
  }
}

/**
 * Checks the row holds the damaged units the adjustment takes.
 * @throws NOT_FOUND when the row does not exist
 * @throws INSUFFICIENT_STOCK when the row holds fewer damaged units than asked; the shortfall's
 *   `available` is then the row's `damaged` count
 */
export function checkDamagedUnits(
  row: InventoryStock | undefined,
  key: { readonly sku: string; readonly warehouseId: string },
  quantity: number,
): void {
  if (!row) throw new NotFoundError('stock', `${key.sku}@${key.warehouseId}`);
  if (row.damaged < quantity) {
    throw new InsufficientStockError([
      { sku: key.sku, warehouseId: key.warehouseId, requested: quantity, available: row.damaged },
    ]);
  }
}
