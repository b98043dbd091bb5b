import { KitNotStockableError } from '../errors/kit-not-stockable-error.js';
import type { StockTransaction } from '../ports/stock-store.js';

/**
 * The kit SKUs among `skus`, read in the transaction: a stock change asks only for SKUs it is
 * about to create a first row for (a kit never has one), so changes to stocked SKUs pay nothing.
 */
export async function kitsAmong(
  transaction: StockTransaction,
  skus: readonly string[],
): Promise<ReadonlySet<string>> {
  if (skus.length === 0 || !transaction.kits) return new Set();
  return new Set((await transaction.kits.get(skus)).map((kit) => kit.sku));
}

/**
 * Refuses a stock change naming a kit SKU (kits are never stocked) before it creates a row.
 * @throws KIT_NOT_STOCKABLE
 */
export async function refuseKitRow(transaction: StockTransaction, sku: string): Promise<void> {
  if ((await kitsAmong(transaction, [sku])).size > 0) throw new KitNotStockableError(sku);
}
