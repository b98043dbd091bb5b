import type { InventoryStock } from '../domain/inventory-stock.js';
import type { CommitEffects } from '../services/service-context.js';

/**
 * What a committed safety-stock change means for caches: the SKU's cached availability is
 * stale, and a sold-out mark must go (a lower safety stock may make units sellable again; a
 * mark is only a shortcut, so clearing one too many costs one store read).
 */
export function settingsEffects(row: InventoryStock): CommitEffects {
  return { touched: [row.sku], replenished: [row.sku], soldOut: [] };
}
