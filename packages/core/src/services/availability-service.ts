import type { GeoPoint } from '../allocation/allocation-plan.js';
import { distanceKm } from '../allocation/haversine.js';
import { regionalTier } from '../allocation/regional-preference.js';
import { planWithBackorders } from '../backorders/plan-backorders.js';
import { channelWarehouses } from '../channels/channel-filter.js';
import {
  addQuantities,
  type InventoryStock,
  type StockQuantities,
  ZERO_QUANTITIES,
} from '../domain/inventory-stock.js';
import type { Movement } from '../domain/movement.js';
import { isAllocatable } from '../domain/warehouse.js';
import { NotFoundError } from '../errors/not-found-error.js';
import { checkKit, type KitAvailabilityResult } from '../kits/kit-check.js';
import type { CachedAvailability, FillToken } from '../ports/availability-cache.js';
import type { Page, PageRequest } from '../ports/page.js';
import type { MovementFilter } from '../ports/stock-store.js';
import {
  type PreorderableUnits,
  type PreorderOffer,
  preorderableUnits,
  preorderOffer,
} from '../preorders/preorder-offer.js';
import { backorderRulesOf } from '../sellability/cart-limits.js';
import { availabilityOf } from './cache-write-through.js';
import type { ServiceContext } from './service-context.js';
import { rowsAsOf } from './stock-as-of.js';
import { validate } from './validate.js';

/** A request to check availability. */
export interface CheckRequest {
  readonly sku: string;
  readonly quantity: number;
  /** The customer's location: warehouses come nearest first, with `distanceKm`. */
  readonly location?: GeoPoint;
  /** Regional fulfilment: warehouses in this country come first (before any other ordering). */
  readonly preferCountry?: string;
  /** Regional fulfilment: then warehouses in this region, before crossing into other regions. */
  readonly preferRegion?: string;
  /** A sales channel: only its warehouses are seen. @throws NOT_FOUND for an unknown channel */
  readonly channelId?: string;
  /**
   * Also answer `preorderable`: what the SKU's open receipts may still promise, whether or not
   * the quantity is available now. Costs one store transaction (policy and receipts), so it is
   * asked for, not computed by default. Ignored for a kit (kits are never preordered).
   * @default false
   */
  readonly includePreorderable?: boolean;
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
  /**
   * When not available: the units a reservation of `quantity` would take as backordered (the
   * SKU's policy is `CONTINUE` and its limit allows them); 0 otherwise. Read from the store,
   * only for an unavailable answer.
   */
  readonly backorderedQuantity: number;
  /**
   * Only ACTIVE warehouses with stock: those in `preferCountry`, then `preferRegion`, then the
   * rest; inside each group nearest first with a location, else most available first.
   */
  readonly warehouses: readonly WarehouseAvailability[];
  /**
   * The `version` of every stock row of the SKU the answer was computed from, by warehouse id
   * (all rows, also those left out of `warehouses`). Lets a caller tell how fresh the answer is:
   * no row's version is older than the last change committed before the check started.
   */
  readonly rowVersions: Readonly<Record<string, number>>;
  /** The channel the answer is limited to, when the request named one. */
  readonly channelId?: string;
  /**
   * Present when the units missing now would be preordered from incoming receipts (the SKU's
   * policy allows preorders and its open receipts cover them): how many, and when the last is
   * expected. Read from the store only for a check that is not available.
   */
  readonly preorder?: PreorderOffer;
  /**
   * With `includePreorderable`, when the SKU allows preorders and its open receipts (in the
   * warehouses the answer sees) still have units neither received nor promised: how many, and
   * when the earliest of those receipts is expected.
   */
  readonly preorderable?: PreorderableUnits;
}

/** A SKU's totals over every warehouse and its rows. */
export interface SkuStock extends StockQuantities {
  readonly sku: string;
  readonly total: number;
  readonly warehouses: readonly InventoryStock[];
}

/** Availability checks (cache-aside) and stock reads. */
export class AvailabilityService {
  /** Store reads in flight for cache fills, by SKU, with the token of the miss that began them. */
  private readonly fills = new Map<
    string,
    { readonly token: FillToken; readonly value: Promise<CachedAvailability> }
  >();

  constructor(private readonly context: ServiceContext) {}

  /**
   * Aggregates a SKU's availability over ACTIVE warehouses. Served from the cache when it
   * holds the SKU; an unknown SKU is simply unavailable. Never decides a reservation. A kit SKU
   * is answered from its components (see `checkKit`), with the `kit` part of the answer set.
   * @throws VALIDATION_FAILED
   */
  async check(request: CheckRequest): Promise<KitAvailabilityResult> {
    const check = validate().id(request.sku, 'sku').quantity(request.quantity, 'quantity');
    if (request.location !== undefined) {
      check
        .number(request.location?.latitude, 'location.latitude', -90, 90)
        .number(request.location?.longitude, 'location.longitude', -180, 180);
    }
    check.optionalId(request.preferCountry, 'preferCountry');
    check.optionalId(request.preferRegion, 'preferRegion');
    check.optionalId(request.channelId, 'channelId');
    if (request.includePreorderable !== undefined) {
      check.check(
        typeof request.includePreorderable === 'boolean',
        'includePreorderable',
        'must be a boolean',
      );
    }
    check.done();
    // Other processes' commits are applied to an in-process cache before it may answer.
    await this.context.syncWithStore();
    const kit = (await this.context.kitDirectory?.among([request.sku]))?.get(request.sku);
    if (kit) {
      const [warehouses, channel] = await Promise.all([
        this.context.warehouseDirectory.list(),
        channelWarehouses(this.context.channelDirectory, request.channelId),
      ]);
      return checkKit(kit, request, {
        rowsOf: (sku) => this.cachedAvailability(sku),
        warehouses,
        channel,
      });
    }
    const [cached, directory, channel] = await Promise.all([
      this.cachedAvailability(request.sku),
      this.context.warehouseDirectory.list(),
      channelWarehouses(this.context.channelDirectory, request.channelId),
    ]);
    const warehouses = new Map(directory.map((item) => [item.id, item]));
    const lines: WarehouseAvailability[] = [];
    const tiers = new Map<string, number>();
    for (const row of cached.rows) {
      const warehouse = warehouses.get(row.warehouseId);
      if (!warehouse || !isAllocatable(warehouse) || row.available <= 0) continue;
      if (channel && !channel.has(warehouse.id)) continue;
      const distance =
        request.location && warehouse.latitude !== null && warehouse.longitude !== null
          ? distanceKm(request.location, {
              latitude: warehouse.latitude,
              longitude: warehouse.longitude,
            })
          : undefined;
      tiers.set(warehouse.id, regionalTier(warehouse, request));
      lines.push({
        warehouseId: warehouse.id,
        warehouseName: warehouse.name,
        availableQuantity: row.available,
        ...(distance === undefined ? {} : { distanceKm: Math.round(distance * 10) / 10 }),
      });
    }
    const byDistance = (left: WarehouseAvailability, right: WarehouseAvailability) =>
      (left.distanceKm ?? Number.POSITIVE_INFINITY) -
      (right.distanceKm ?? Number.POSITIVE_INFINITY);
    const byQuantity = (left: WarehouseAvailability, right: WarehouseAvailability) =>
      right.availableQuantity - left.availableQuantity;
    lines.sort(
      (left, right) =>
        tiers.get(left.warehouseId)! - tiers.get(right.warehouseId)! ||
        (request.location ? byDistance(left, right) : byQuantity(left, right)) ||
        (left.warehouseId < right.warehouseId ? -1 : 1),
    );
    const availableQuantity = lines.reduce((sum, line) => sum + line.availableQuantity, 0);
    const isAvailable = availableQuantity >= request.quantity;
    const preorder = !isAvailable
      ? await preorderOffer(
          this.context,
          request.sku,
          request.quantity - availableQuantity,
          directory,
          channel,
        )
      : null;
    const preorderable = request.includePreorderable
      ? await preorderableUnits(this.context, request.sku, directory, channel)
      : null;
    return {
      sku: request.sku,
      requestedQuantity: request.quantity,
      isAvailable,
      availableQuantity,
      backorderedQuantity: isAvailable ? 0 : await this.backorderOf(request, directory, channel),
      warehouses: lines,
      rowVersions: Object.fromEntries(cached.rows.map((row) => [row.warehouseId, row.version])),
      ...(request.channelId === undefined ? {} : { channelId: request.channelId }),
      ...(preorder ? { preorder } : {}),
      ...(preorderable ? { preorderable } : {}),
    };
  }

  /** The units a reservation would backorder, planned on the store's rows as `reserve` plans. */
  private async backorderOf(
    request: CheckRequest,
    directory: Parameters<typeof planWithBackorders>[2],
    channel: ReadonlySet<string> | undefined,
  ): Promise<number> {
    const policies = await this.context.store.transaction((transaction) =>
      transaction.policies.get([request.sku]),
    );
    if (policies[0]?.backorderPolicy !== 'CONTINUE') return 0;
    const rows = await this.context.store.reads.stockBySku(request.sku);
    const plan = planWithBackorders(
      {
        items: [{ sku: request.sku, quantity: request.quantity }],
        ...(request.location ? { location: request.location } : {}),
        ...(request.preferCountry ? { preferCountry: request.preferCountry } : {}),
        ...(request.preferRegion ? { preferRegion: request.preferRegion } : {}),
        ...(channel ? { warehouseIds: channel } : {}),
      },
      rows,
      directory,
      backorderRulesOf(policies),
    );
    return plan.kind === 'plan'
      ? plan.allocations.reduce((sum, allocation) => sum + allocation.backordered, 0)
      : 0;
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

  /**
   * What every row of a SKU held at `instant`, answered from the ledger: per row, the nearest
   * checkpoint at or before `instant` (written by reconciliation), then the row's movements up to
   * `instant`; quantities and version are those of its last movement by then (its `after`
   * snapshot), `updatedAt` is that movement's time and `lastRestockedAt` / `lastSoldAt` the last
   * RESTOCK / SALE by then. Settings (threshold, reorder point, max) are not in the ledger, so
   * they are the row's current ones. Rows with no movement by `instant` are left out. The cost
   * follows the movements since the checkpoint, not the row's whole history.
   * @throws VALIDATION_FAILED, NOT_FOUND when the SKU had no movement by `instant`,
   *   HISTORY_ARCHIVED when `instant` is before the archive horizon (see `history.archive`)
   */
  async stockAsOf(sku: string, instant: Date): Promise<SkuStock> {
    validate()
      .id(sku, 'sku')
      .check(
        instant instanceof Date && Number.isFinite(instant.getTime()),
        'asOf',
        'must be a valid date',
      )
      .done();
    const rows = await rowsAsOf(this.context, sku, instant);
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
    const { cache, stats } = this.context;
    if (!cache) return availabilityOf(sku, await this.context.store.reads.stockBySku(sku));
    // A write of this process may have committed without having updated the cache yet: wait
    // for it (or, when it takes too long, read the store).
    if (this.context.pendingWrites && !(await this.context.pendingWrites.settled(sku))) {
      stats.cache.misses += 1;
      return availabilityOf(sku, await this.context.store.reads.stockBySku(sku));
    }
    const lookup = await cache.get(sku);
    if (lookup.hit) {
      stats.cache.hits += 1;
      return lookup.value;
    }
    // A fill in flight under the same token began after every invalidation this miss knows of,
    // so its answer is as fresh as a read started now: share it instead of reading again —
    // unless another process's write is pending (it may have committed after that read began).
    const inFlight = this.fills.get(sku);
    if (inFlight && inFlight.token === lookup.token && !lookup.pending) {
      stats.cache.coalesced += 1;
      return inFlight.value;
    }
    stats.cache.misses += 1;
    const value = (async () => {
      const read = availabilityOf(sku, await this.context.store.reads.stockBySku(sku));
      // Stored only if no invalidation of the SKU happened since the miss (version-stamped fill).
      await cache.set(read, this.context.cacheTtlMs, lookup.token);
      return read;
    })();
    const fill = { token: lookup.token, value };
    this.fills.set(sku, fill);
    try {
      return await value;
    } finally {
      if (this.fills.get(sku) === fill) this.fills.delete(sku);
    }
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
