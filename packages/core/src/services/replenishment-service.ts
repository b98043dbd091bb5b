import { type InventoryStock, totalOf } from '../domain/inventory-stock.js';
import type { Movement } from '../domain/movement.js';
import { WarehouseStatus } from '../domain/warehouse.js';
import type { Page, PageRequest } from '../ports/page.js';
import { MAX_PAGE_LIMIT } from '../ports/paging.js';
import { DEFAULT_ALPHA, type ForecastMethod, forecastDemand } from './demand-forecast.js';
import type { ServiceContext } from './service-context.js';
import { validate } from './validate.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Options of {@link ReplenishmentService.suggestions}. */
export interface ReplenishmentOptions {
  /** Only this warehouse's rows. */
  readonly warehouseId?: string;
  /** Days from ordering to receiving; rows with fewer days of cover are suggested. @default 7 */
  readonly leadTimeDays?: number;
  /** Days of demand an order should cover once it arrives. @default 14 */
  readonly coverDays?: number;
  /** Days of SALE history the forecast reads (1–365). @default 56 */
  readonly historyDays?: number;
  /** Smoothing constant of the forecast, in (0, 1]. @default 0.1 */
  readonly alpha?: number;
}

/** One row that should be reordered. */
export interface ReplenishmentSuggestion {
  readonly sku: string;
  readonly warehouseId: string;
  readonly available: number;
  readonly inTransit: number;
  readonly reorderPoint: number;
  /** Forecast units sold per day (rounded to 4 decimals). */
  readonly dailyDemand: number;
  /** `(available + inTransit) / dailyDemand` in days (1 decimal), or null without demand. */
  readonly daysOfCover: number | null;
  /** Units to order; never takes the row over its `maxStockLevel`. */
  readonly suggestedQuantity: number;
  /** How `dailyDemand` was forecast: `sba`, `ses`, or `none` (no sale in the history). */
  readonly forecastMethod: ForecastMethod;
}

/**
 * Replenishment: forecasts daily demand per (sku, warehouse) from SALE movements and suggests
 * what to reorder.
 *
 * Demand is the units of SALE movements per 24-hour period over the last `historyDays` (from
 * the row's creation when it is younger), forecast with SBA for intermittent demand or simple
 * exponential smoothing for regular demand (see `forecastDemand`). A row is suggested when its
 * position `available + inTransit` is at or below its `reorderPoint`, or its days of cover
 * (position ÷ daily demand) fall under `leadTimeDays`. The suggested quantity brings the position
 * up to `max(reorderPoint, ⌈demand × leadTimeDays⌉) + max(1, ⌈demand × coverDays⌉)`, capped so
 * the row's `total` stays within `maxStockLevel`; rows whose cap leaves nothing to order are
 * left out, as are rows of INACTIVE warehouses. Warehouse capacity is not taken into account.
 *
 * Reads go through `store.reads`; SALE history is read only for rows whose `lastSoldAt` falls in
 * the history window.
 */
export class ReplenishmentService {
  constructor(private readonly context: ServiceContext) {}

  /**
   * The rows to reorder, sorted by (sku, warehouseId).
   * @throws VALIDATION_FAILED
   * @example
   * ```ts
   * const orders = await stockroom.replenishment.suggestions({ warehouseId: 'paris', leadTimeDays: 5 });
   * ```
   */
  async suggestions(options: ReplenishmentOptions = {}): Promise<ReplenishmentSuggestion[]> {
    const check = validate().optionalId(options.warehouseId, 'warehouseId');
    if (options.leadTimeDays !== undefined)
      check.number(options.leadTimeDays, 'leadTimeDays', 0, 365);
    if (options.coverDays !== undefined) check.number(options.coverDays, 'coverDays', 0, 365);
    if (options.historyDays !== undefined)
      check.integer(options.historyDays, 'historyDays', 1, 365);
    if (options.alpha !== undefined) {
      check.check(
        typeof options.alpha === 'number' && options.alpha > 0 && options.alpha <= 1,
        'alpha',
        'must be a number in (0, 1]',
      );
    }
    check.done();
    const leadTimeDays = options.leadTimeDays ?? 7;
    const coverDays = options.coverDays ?? 14;
    const historyDays = options.historyDays ?? 56;
    const alpha = options.alpha ?? DEFAULT_ALPHA;
    const now = this.context.clock.now();
    const start = new Date(now.getTime() - historyDays * DAY_MS);
    const inactive = new Set(
      (await this.context.warehouseDirectory.list())
        .filter((warehouse) => warehouse.status === WarehouseStatus.INACTIVE)
        .map((warehouse) => warehouse.id),
    );
    const reads = this.context.store.reads;
    const suggestions: ReplenishmentSuggestion[] = [];
    let cursor: string | null = null;
    do {
      const request: PageRequest = { limit: MAX_PAGE_LIMIT, cursor };
      const page: Page<InventoryStock> = options.warehouseId
        ? await reads.stockByWarehouse(options.warehouseId, request)
        : await reads.allStock(request);
      for (const row of page.items) {
        if (inactive.has(row.warehouseId)) continue;
        const series = await this.dailySales(row, start, now, historyDays);
        const forecast = forecastDemand(series, { alpha });
        const position = row.available + row.inTransit;
        const rate = forecast.rate;
        const daysOfCover = rate > 0 ? position / rate : null;
        const due =
          position <= row.reorderPoint || (daysOfCover !== null && daysOfCover < leadTimeDays);
        if (!due) continue;
        const target =
          Math.max(row.reorderPoint, Math.ceil(rate * leadTimeDays)) +
          Math.max(1, Math.ceil(rate * coverDays));
        let quantity = target - position;
        if (row.maxStockLevel !== null)
          quantity = Math.min(quantity, row.maxStockLevel - row.total);
        if (quantity <= 0) continue;
        suggestions.push({
          sku: row.sku,
          warehouseId: row.warehouseId,
          available: row.available,
          inTransit: row.inTransit,
          reorderPoint: row.reorderPoint,
          dailyDemand: Math.round(rate * 10_000) / 10_000,
          daysOfCover: daysOfCover === null ? null : Math.round(daysOfCover * 10) / 10,
          suggestedQuantity: quantity,
          forecastMethod: forecast.method,
        });
      }
      cursor = page.nextCursor;
    } while (cursor);
    return suggestions;
  }

  /**
   * Units sold per 24-hour period, oldest first, over the window `[start, now]` — or from the
   * row's creation when it is younger. Reads nothing when the row sold nothing in the window.
   */
  private async dailySales(
    row: InventoryStock,
    start: Date,
    now: Date,
    historyDays: number,
  ): Promise<number[]> {
    const first = Math.max(0, Math.floor((row.createdAt.getTime() - start.getTime()) / DAY_MS));
    const series = new Array<number>(historyDays).fill(0);
    if (row.lastSoldAt !== null && row.lastSoldAt.getTime() >= start.getTime()) {
      let cursor: string | null = null;
      let done = false;
      do {
        const page: Page<Movement> = await this.context.store.reads.movements(
          { sku: row.sku, warehouseId: row.warehouseId },
          { limit: MAX_PAGE_LIMIT, cursor },
        );
        for (const movement of page.items) {
          const time = movement.createdAt.getTime();
          if (time < start.getTime()) {
            done = true;
            break;
          }
          if (movement.type !== 'SALE' || time > now.getTime()) continue;
          const day = Math.min(historyDays - 1, Math.floor((time - start.getTime()) / DAY_MS));
          // A SALE takes units out of the row: minus its total change.
          series[day] = (series[day] ?? 0) - totalOf(movement.deltas);
        }
        cursor = page.nextCursor;
      } while (cursor && !done);
    }
    return series.slice(Math.min(first, historyDays - 1));
  }
}
