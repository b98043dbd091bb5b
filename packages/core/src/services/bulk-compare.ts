import { MAX_QUANTITY } from '../domain/ids.js';

/** The compare part of a bulk item (Shopify's `compareQuantity`). */
export interface BulkCompare {
  /**
   * Compare-and-set: the `available` the caller expects the row to hold now (a missing row holds
   * 0). When the row holds another number the item fails with `VERSION_CONFLICT` and its row is
   * left as it was — so an import never overwrites sales made since its numbers were read.
   */
  readonly expectedQuantity?: number;
}

/** Why an item's `expectedQuantity` is malformed, or null (absent is fine). */
export function expectedQuantityProblem(item: BulkCompare): string | null {
  const expected = item.expectedQuantity;
  if (expected === undefined) return null;
  if (
    typeof expected !== 'number' ||
    !Number.isInteger(expected) ||
    expected < 0 ||
    expected > MAX_QUANTITY
  ) {
    return `expectedQuantity must be an integer from 0 to ${MAX_QUANTITY}`;
  }
  return null;
}

/**
 * The detail of a failed compare, or null when the item has no compare or the row matches.
 * `available` is the row's `available` as read in the item's transaction (0 for a missing row).
 */
export function compareMismatch(
  item: BulkCompare & { readonly sku: string; readonly warehouseId: string },
  available: number,
): string | null {
  if (item.expectedQuantity === undefined || item.expectedQuantity === available) return null;
  return `${item.sku}@${item.warehouseId} holds ${available} available, not the expected ${item.expectedQuantity}`;
}
