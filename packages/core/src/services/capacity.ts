import type { Warehouse } from '../domain/warehouse.js';
import { CapacityExceededError } from '../errors/capacity-exceeded-error.js';
import type { StockTransaction } from '../ports/stock-store.js';
import type { StockChangeSet } from './stock-change-set.js';

/**
 * Refuses a change that takes a row over its `maxStockLevel` or a warehouse over its capacity.
 * Call after applying movements and before `flush`. Only growth is refused: a row already over
 * a lowered limit may still shrink. The warehouse row is locked so that two concurrent
 * restocks cannot both squeeze under the same capacity.
 * @throws CAPACITY_EXCEEDED
 */
export async function ensureCapacity(
  transaction: StockTransaction,
  changes: StockChangeSet,
  warehouse: Warehouse,
  skus: readonly string[],
): Promise<void> {
  let growth = 0;
  for (const sku of skus) {
    const row = changes.row({ sku, warehouseId: warehouse.id });
    if (!row) continue;
    const before = changes.originalTotal({ sku, warehouseId: warehouse.id });
    if (row.total <= before) continue;
    growth += row.total - before;
    if (row.maxStockLevel !== null && row.total > row.maxStockLevel) {
      throw new CapacityExceededError({
        limit: 'stock-level',
        maximum: row.maxStockLevel,
        attempted: row.total,
        sku,
        warehouseId: warehouse.id,
      });
    }
  }
  if (warehouse.capacity === null || growth === 0) return;
  await transaction.warehouses.get([warehouse.id], { lock: true });
  const occupancy = await transaction.stock.occupancy(warehouse.id);
  if (occupancy + growth > warehouse.capacity) {
    throw new CapacityExceededError({
      limit: 'warehouse',
      maximum: warehouse.capacity,
      attempted: occupancy + growth,
      warehouseId: warehouse.id,
    });
  }
}
