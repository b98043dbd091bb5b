import { type InventoryStock, stockKeyOf, totalOf } from '../domain/inventory-stock.js';
import { HistoryArchivedError } from '../errors/history-archived-error.js';
import type { LedgerRange } from '../ports/history.js';
import { type RowReplay, readLedgerRanges, replayFrom } from './ledger-replay.js';
import type { ServiceContext } from './service-context.js';

/**
 * What every row of a SKU held at `instant`: per row, the nearest checkpoint at or before
 * `instant`, then the row's movements after it up to `instant`; the row's state is the `after`
 * snapshot of its last movement by then (or the checkpoint when none followed it). Reads only the
 * movements since that checkpoint, so the cost does not grow with the row's older history.
 * Rows with no movement and no checkpoint by `instant` are left out (the result may be empty).
 * @throws HISTORY_ARCHIVED when `instant` is before the archive horizon
 */
export async function rowsAsOf(
  context: ServiceContext,
  sku: string,
  instant: Date,
): Promise<InventoryStock[]> {
  const reads = context.store.reads;
  const horizon = await reads.historyHorizon();
  if (horizon !== null && instant.getTime() < horizon.getTime()) {
    throw new HistoryArchivedError(horizon, instant);
  }
  const [checkpoints, current] = await Promise.all([
    reads.checkpointsAsOf(sku, instant),
    reads.stockBySku(sku),
  ]);
  const bases = new Map(checkpoints.map((item) => [stockKeyOf(item), item]));
  const states = new Map<string, { warehouseId: string; state: RowReplay }>();
  const ranges: Array<LedgerRange & { throughVersion: number }> = [];
  for (const row of current) {
    const state = replayFrom(bases.get(stockKeyOf(row)));
    states.set(stockKeyOf(row), { warehouseId: row.warehouseId, state });
    // Movements are appended with their row, so none past the version just read exists yet.
    ranges.push({
      sku,
      warehouseId: row.warehouseId,
      afterVersion: state.version,
      throughVersion: row.version,
    });
  }
  await readLedgerRanges(reads, ranges, { until: instant }, (movement) => {
    const entry = states.get(stockKeyOf(movement))!;
    const previous = entry.state;
    if (movement.version <= previous.version) return;
    entry.state = {
      quantities: movement.after,
      version: movement.version,
      movedAt: movement.createdAt,
      lastRestockedAt: movement.type === 'RESTOCK' ? movement.createdAt : previous.lastRestockedAt,
      lastSoldAt: movement.type === 'SALE' ? movement.createdAt : previous.lastSoldAt,
    };
  });
  const rows = new Map(current.map((row) => [row.warehouseId, row] as const));
  return [...states.values()]
    .filter(({ state }) => state.movedAt !== null)
    .sort((left, right) =>
      left.warehouseId < right.warehouseId ? -1 : left.warehouseId > right.warehouseId ? 1 : 0,
    )
    .map(({ warehouseId, state }): InventoryStock => {
      const row = rows.get(warehouseId);
      const settings = row ?? context.defaultStockSettings;
      const movedAt = state.movedAt!;
      return {
        sku,
        warehouseId,
        ...state.quantities,
        total: totalOf(state.quantities),
        lowStockThreshold: settings.lowStockThreshold,
        reorderPoint: settings.reorderPoint,
        maxStockLevel: settings.maxStockLevel,
        safetyStock: settings.safetyStock,
        version: state.version,
        lastRestockedAt: state.lastRestockedAt,
        lastSoldAt: state.lastSoldAt,
        createdAt: row?.createdAt ?? movedAt,
        updatedAt: movedAt,
      };
    });
}
