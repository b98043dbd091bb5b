import { fillBackorders } from '../backorders/fill-backorders.js';
import type { InventoryStock } from '../domain/inventory-stock.js';
import { sellableOf } from '../domain/sellability.js';
import type { StockTransaction } from '../ports/stock-store.js';
import type { CommitEffects, ServiceContext } from './service-context.js';
import { NO_EFFECTS } from './stock-change.js';
import { StockChangeSet } from './stock-change-set.js';

/**
 * Fills the backorders waiting on a row whose settings change made units sellable (a lower
 * safety stock), in the settings change's transaction and exactly as a restock fills them:
 * oldest waiting line first, one `BACKORDER_FILL` movement and one `inventory.backorder.filled`
 * event per fill. Returns the row as it stands afterwards and the effects to apply once the
 * transaction has committed ({@link NO_EFFECTS} when nothing waited or nothing was sellable).
 *
 * `row` must already carry the new settings, written in `transaction`.
 */
export async function fillBackordersAfterSettings(
  context: ServiceContext,
  transaction: StockTransaction,
  now: Date,
  row: InventoryStock,
): Promise<{ readonly row: InventoryStock; readonly effects: CommitEffects }> {
  if (row.backordered === 0 || sellableOf(row) === 0) return { row, effects: NO_EFFECTS };
  const changes = new StockChangeSet(transaction, context, now);
  await changes.load([row.sku], { lock: true });
  await fillBackorders(changes, transaction, [row]);
  if (changes.isEmpty) return { row, effects: NO_EFFECTS };
  const effects = await changes.flush();
  return { row: changes.row(row) ?? row, effects };
}
