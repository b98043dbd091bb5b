import {
  adjustAvailable,
  markDamaged,
  restock,
  type StockTransition,
} from '../domain/inventory-stock.js';
import type { MovementType } from '../domain/movement.js';
import {
  DAMAGED_UNITS_TYPES,
  type DamagedUnitsType,
  damagedUnitsMovement,
} from './damaged-units.js';

/** The kinds of manual adjustment. */
export type AdjustmentType = 'RESTOCK' | 'RETURN' | 'DAMAGE' | 'ADJUSTMENT' | DamagedUnitsType;

/** The adjustment kinds, for validation and docs. */
export const ADJUSTMENT_TYPES: readonly AdjustmentType[] = [
  'RESTOCK',
  'RETURN',
  'DAMAGE',
  'ADJUSTMENT',
  ...DAMAGED_UNITS_TYPES,
];

/** The movement an adjustment makes: its type, its domain transition, its change to available. */
export interface AdjustmentMovement {
  readonly type: MovementType;
  readonly transition: StockTransition;
  readonly availableChange: number;
}

/** The movement an adjustment request makes. */
export function movementOf(type: AdjustmentType, quantity: number): AdjustmentMovement {
  switch (type) {
    case 'RESTOCK':
      return {
        type,
        transition: (stock, now) => restock(stock, quantity, now),
        availableChange: quantity,
      };
    case 'RETURN':
      return {
        type,
        transition: (stock, now) => adjustAvailable(stock, quantity, now),
        availableChange: quantity,
      };
    case 'DAMAGE':
      return {
        type,
        transition: (stock, now) => markDamaged(stock, quantity, now),
        availableChange: -quantity,
      };
    case 'ADJUSTMENT':
      return {
        type,
        transition: (stock, now) => adjustAvailable(stock, quantity, now),
        availableChange: quantity,
      };
    case 'WRITE_OFF':
    case 'RESTORE':
      return damagedUnitsMovement(type, quantity);
  }
}
