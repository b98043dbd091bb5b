import type { AllocatableWarehouse } from '../allocation-plan.js';

/** A warehouse that can supply one SKU, with what it still has of it. */
export interface WarehouseCandidate {
  readonly warehouse: AllocatableWarehouse;
  /** Units of the SKU still free there; always positive. */
  readonly available: number;
}

/** Orders strings by UTF-16 code units, whatever the locale, so plans are deterministic. */
export function compareIds(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
