import { KitNotStockableError } from '../errors/kit-not-stockable-error.js';
import type { ServiceContext } from '../services/service-context.js';

/**
 * Refuses a stock change naming a kit SKU (kits are never stocked), from the in-process kit list.
 * Defining a kit refuses a SKU with stock rows inside its own transaction, so the two meet from
 * both sides.
 * @throws KIT_NOT_STOCKABLE
 */
export async function refuseKits(context: ServiceContext, skus: readonly string[]): Promise<void> {
  const directory = context.kitDirectory;
  if (!directory) return;
  const kits = await directory.among(skus, { fresh: false });
  const [kit] = kits.keys();
  if (kit !== undefined) throw new KitNotStockableError(kit);
}
