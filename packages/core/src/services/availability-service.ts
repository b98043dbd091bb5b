import type { GeoPoint } from '../allocation/allocation-plan.js';
import { distanceKm } from '../allocation/haversine.js';
import {
  addQuantities,
  type InventoryStock,
  type StockQuantities,
  ZERO_QUANTITIES,
} from '../domain/inventory-stock.js';
import type { Movement } from '../domain/movement.js';
import { isAllocatable } from '../domain/warehouse.js';
import { NotFoundError } from '../errors/not-found-error.js';
import type { CachedAvailability } from '../ports/availability-cache.js';
import type { Page, PageRequest } from '../ports/page.js';
import type { MovementFilter } from '../ports/stock-store.js';
import type { ServiceContext } from './service-context.js';
import { validate } from './validate.js';

/** A request to check availability. */
export interface CheckRequest {
  readonly sku: string;
  readonly quantity: number;
  /** The customer's location: warehouses come nearest first, with `distanceKm`. */
  readonly location?: GeoPoint;
}

/** One warehouse in an availability answer. */
export interface WarehouseAvailability {
  readonly warehouseId: string;
  readonly warehouseName: string;
  readonly availableQuantity: number;
  readonly distanceKm?: number;
}

/** The answer to "can I buy `quantity` of this SKU?". */
export interface AvailabilityResult {
  readonly sku: string;
  readonly requestedQuantity: number;
  readonly isAvailable: boolean;
  readonly availableQuantity: number;
  /** Only ACTIVE warehouses with stock; nearest first with a location, else most available first. */
  readonly warehouses: readonly WarehouseAvailability[];
}

/** A SKU's totals over every warehouse and its rows. */
export interface SkuStock extends StockQuantities {
  readonly sku: string;
  readonly total: number;
  readonly warehouses: readonly InventoryStock[];
}

/** Availability checks (cache-aside) and stock reads. */
export class AvailabilityService {
  constructor(private readonly context: ServiceContext) {}

  /**
   * Aggregates a SKU's availability over ACTIVE warehouses. Served from the cache when it
   * holds the SKU; an unknown SKU is simply unavailable. Never decides a reservation.
   * @throws VALIDATION_FAILED
   */
  async check(request: CheckRequest): Promise<AvailabilityResult> {
    const check = validate().id(request.sku, 'sku').quantity(request.quantity, 'quantity');
    if (request.location !== undefined) {
      check
        .number(request.location?.latitude, 'location.latitude', -90, 90)
        .number(request.location?.longitude, 'location.longitude', -180, 180);
    }
    check.done();
    const cached = await this.cachedAvailability(request.sku);
    const warehouses = new Map(
      (await this.context.warehouseDirectory.list()).map((item) => [item.id, item]),
    );
    const lines: WarehouseAvailability[] = [];
    for (const row of cached.rows) {
      const warehouse = warehouses.get(row.warehouseId);
      if (!warehouse || !isAllocatable(warehouse) || row.available <= 0) continue;
      const distance =
        request.location && warehouse.latitude !== null && warehouse.longitude !== null
          ? distanceKm(request.location, {
              latitude: warehouse.latitude,
              longitude: warehouse.longitude,
            })
          : undefined;
      lines.push({
        warehouseId: warehouse.id,
        warehouseName: warehouse.name,
        availableQuantity: row.available,
        ...(distance === undefined ? {} : { distanceKm: Math.round(distance * 10) / 10 }),
      });
    }
    lines.sort((left, right) =>
      request.location
        ? (left.distanceKm ?? Number.POSITIVE_INFINITY) -
            (right.distanceKm ?? Number.POSITIVE_INFINITY) ||
          (left.warehouseId < right.warehouseId ? -1 : 1)
        : right.availableQuantity - left.availableQuantity ||
          (left.warehouseId < right.warehouseId ? -1 : 1),
    );
    const availableQuantity = lines.reduce((sum, line) => sum + line.availableQuantity, 0);
    return {
      sku: request.sku,
      requestedQuantity: request.quantity,
      isAvailable: availableQuantity >= request.quantity,
      availableQuantity,
      warehouses: lines,
    };
  }

  /**
   * A SKU's totals and rows, read from the store (not the cache).
   * @throws NOT_FOUND when the SKU has no stock row
   */
  async get(sku: string): Promise<SkuStock> {
    validate().id(sku, 'sku').done();
    const rows = await this.context.store.reads.stockBySku(sku);
    if (rows.length === 0) throw new NotFoundError('sku', sku);
    return summarize(sku, rows);
  }

  /** A warehouse's rows, sorted by SKU, paged. */
  async listByWarehouse(
    warehouseId: string,
    page: PageRequest = {},
  ): Promise<Page<InventoryStock>> {
    validate().id(warehouseId, 'warehouseId').done();
    return this.context.store.reads.stockByWarehouse(warehouseId, page);
  }

  /** Rows with `available <= lowStockThreshold`. */
  async lowStock(warehouseId?: string): Promise<InventoryStock[]> {
    validate().optionalId(warehouseId, 'warehouseId').done();
    return this.context.store.reads.lowStock(warehouseId);
  }

  /** Ledger movements, newest first, paged. */
  async movements(filter: MovementFilter, page: PageRequest = {}): Promise<Page<Movement>> {
    validate().optionalId(filter.sku, 'sku').optionalId(filter.warehouseId, 'warehouseId').done();
    return this.context.store.reads.movements(filter, page);
  }

  private async cachedAvailability(sku: string): Promise<CachedAvailability> {
    const cache = this.context.cache;
    const hit = cache ? await cache.get(sku) : undefined;
    if (hit) {
      this.context.stats.cache.hits += 1;
      return hit;
    }
    if (cache) this.context.stats.cache.misses += 1;
    const rows = await this.context.store.reads.stockBySku(sku);
    const value: CachedAvailability = {
      sku,
      rows: rows.map((row) => ({ warehouseId: row.warehouseId, available: row.available })),
    };
    if (cache) await cache.set(value, this.context.cacheTtlMs);
    return value;
  }
}

/** Sums a SKU's rows. */
export function summarize(sku: string, rows: readonly InventoryStock[]): SkuStock {
  const sums = rows.reduce<StockQuantities>((sum, row) => addQuantities(sum, row), ZERO_QUANTITIES);
  return {
    sku,
    ...sums,
    total: sums.available + sums.reserved + sums.damaged + sums.inTransit,
    warehouses: rows,
  };
}
