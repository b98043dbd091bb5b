import {
  addQuantities,
  HistoryArchivedError,
  MAX_PAGE_LIMIT,
  type StockQuantities,
  type Stockroom,
  totalOf,
  ZERO_QUANTITIES,
} from '@stockroom/core';

/** A SKU's quantities in one warehouse. */
export interface WarehouseLevel extends StockQuantities {
  readonly warehouseId: string;
  readonly total: number;
}

/**
 * A SKU's stock per warehouse: now (the stock rows), or as it was at `asOf` (the ledger replayed
 * up to that instant, movements at `asOf` included). Warehouses with no row (or, as of a time,
 * no movement yet) are left out. An instant before the archive horizon is refused with
 * `HISTORY_ARCHIVED`.
 */
export async function stockOf(
  stockroom: Stockroom,
  sku: string,
  asOf?: Date,
): Promise<WarehouseLevel[]> {
  if (asOf === undefined) {
    const rows = await stockroom.store.reads.stockBySku(sku);
    return rows.map((row) => ({
      warehouseId: row.warehouseId,
      available: row.available,
      reserved: row.reserved,
      damaged: row.damaged,
      inTransit: row.inTransit,
      backordered: row.backordered,
      total: row.total,
    }));
  }
  // Movements before the archive horizon have left the store: a replay would answer wrong.
  const horizon = await stockroom.history.horizon();
  if (horizon !== null && asOf.getTime() < horizon.getTime()) {
    throw new HistoryArchivedError(horizon, asOf);
  }
  const sums = new Map<string, StockQuantities>();
  let cursor: string | null = null;
  do {
    const page = await stockroom.store.reads.ledger(
      { sku, until: asOf },
      { limit: MAX_PAGE_LIMIT, cursor },
    );
    for (const movement of page.items) {
      sums.set(
        movement.warehouseId,
        addQuantities(sums.get(movement.warehouseId) ?? ZERO_QUANTITIES, movement.deltas),
      );
    }
    cursor = page.nextCursor;
  } while (cursor);
  return [...sums.entries()]
    .sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0))
    .map(([warehouseId, quantities]) => ({
      warehouseId,
      ...quantities,
      total: totalOf(quantities),
    }));
}
