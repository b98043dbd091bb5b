import {
  ALLOCATION_STRATEGIES,
  type AllocationStrategy,
  type GeoPoint,
} from '../allocation/allocation-plan.js';
import { type BackorderAllocation, planWithBackorders } from '../backorders/plan-backorders.js';
import { sellableOf } from '../domain/sellability.js';
import { WarehouseStatus } from '../domain/warehouse.js';
import type { Shortfall } from '../errors/insufficient-stock-error.js';
import { backorderRulesOf } from '../sellability/cart-limits.js';
import type { ServiceContext } from '../services/service-context.js';
import { validate } from '../services/validate.js';

/** One item of a cart, as a reservation takes it. */
export interface CartItem {
  readonly sku: string;
  readonly quantity: number;
  /** Pins the item to one warehouse. */
  readonly warehouseId?: string;
}

/** A whole cart to check: the fields of a reservation request that decide its allocation. */
export interface CartCheckRequest {
  /** The cart's items; items of one SKU are summed, as a reservation sums them. */
  readonly items: readonly CartItem[];
  /** @default 'nearest' with a location, else 'priority' */
  readonly strategy?: AllocationStrategy;
  /** The customer's location, for `nearest`. */
  readonly location?: GeoPoint;
  /** Regional fulfilment: try warehouses in this country first. */
  readonly preferCountry?: string;
  /** Regional fulfilment: then warehouses in this region. */
  readonly preferRegion?: string;
}

/** The answer for one SKU of the cart (its items summed). */
export interface CartLineCheck {
  readonly sku: string;
  /** The cart's units of this SKU, every item of it summed. */
  readonly requestedQuantity: number;
  /**
   * Units of this SKU a reservation could take now: the sellable units (`available` less safety
   * stock) over ACTIVE warehouses.
   */
  readonly availableQuantity: number;
  /**
   * True when this SKU's items could be held now (pinned warehouses included), none of them
   * backordered.
   */
  readonly isAvailable: boolean;
  /**
   * Units of this SKU a reservation of the cart would take as backordered (beyond what is
   * sellable, for a SKU whose policy is `CONTINUE`); 0 otherwise.
   */
  readonly backorderedQuantity: number;
  /**
   * Where a reservation of the cart would take this SKU now (`backordered` of each allocation's
   * units would wait for a restock); empty when the cart is refused.
   */
  readonly allocations: readonly BackorderAllocation[];
  /** What this SKU lacks (one entry per short pinned warehouse, one for the unpinned rest). */
  readonly shortfalls: readonly Shortfall[];
}

/** The answer for a whole cart. */
export interface CartCheckResult {
  /** True when a reservation of the whole cart would be admitted now (backorders included). */
  readonly isAvailable: boolean;
  /** One entry per SKU, in the order the SKUs first appear in `items`. */
  readonly lines: readonly CartLineCheck[];
  /**
   * The reservation's lines if it were made now (merged per (sku, warehouseId), sorted by both),
   * or empty when it would be refused.
   */
  readonly allocations: readonly BackorderAllocation[];
  /** What a reservation would be refused with (`INSUFFICIENT_STOCK`'s shortfalls); empty if none. */
  readonly shortfalls: readonly Shortfall[];
  /** The `version` of every stock row the answer was computed from, by SKU then warehouse id. */
  readonly rowVersions: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

/** Settings of the cart check. */
export interface CartCheckSettings {
  /** The most items one cart may carry (the reservation limit). @default 100 */
  readonly maxItems: number;
}

/**
 * Whole-cart checks: a dry run of reservation admission. It reads the cart's stock rows from the
 * store (not the availability cache) and plans them with `planReservation`, the step `reserve`
 * runs, with the same strategies and options; it writes nothing — no hold, movement, event or
 * idempotency record. The answer is what a reservation would get at the instant of the read: a
 * reservation made after it may find less (or more), and remains the only thing that holds.
 */
export class CartCheckService {
  constructor(
    private readonly context: ServiceContext,
    private readonly settings: CartCheckSettings = { maxItems: 100 },
  ) {}

  /**
   * Checks a whole cart at once.
   * @throws VALIDATION_FAILED for a malformed request (the same rules as `reserve`)
   * @example
   * ```ts
   * const answer = await stockroom.carts.check({
   *   items: [{ sku: 'MUG', quantity: 2 }, { sku: 'TEE', quantity: 1 }, { sku: 'MUG', quantity: 1 }],
   * });
   * const missing = answer.isAvailable ? [] : answer.shortfalls; // what the 409 would carry
   * ```
   */
  async check(request: CartCheckRequest): Promise<CartCheckResult> {
    this.validate(request);
    const skus = [...new Set(request.items.map((item) => item.sku))];
    // The warehouse list is the directory's, brought up to date with other processes' commits.
    await this.context.syncWithStore();
    // The SKUs' policies (backorders) are read beside the rows: no extra round trip in line.
    const [rows, warehouses, policies] = await Promise.all([
      this.context.store.reads.stockBySkus([...skus].sort()),
      this.context.warehouseDirectory.list(),
      this.context.store.transaction((transaction) => transaction.policies.get(skus)),
    ]);
    const plan = planWithBackorders(request, rows, warehouses, backorderRulesOf(policies));
    const allocations = plan.kind === 'plan' ? plan.allocations : [];
    const shortfalls = plan.kind === 'shortfall' ? plan.shortfalls : [];
    const active = new Set(
      warehouses
        .filter((warehouse) => warehouse.status === WarehouseStatus.ACTIVE)
        .map((warehouse) => warehouse.id),
    );
    const requested = new Map<string, number>();
    for (const item of request.items) {
      requested.set(item.sku, (requested.get(item.sku) ?? 0) + item.quantity);
    }
    const lines = skus.map((sku): CartLineCheck => {
      const short = shortfalls.filter((shortfall) => shortfall.sku === sku);
      const taken = allocations.filter((allocation) => allocation.sku === sku);
      const backorderedQuantity = taken.reduce(
        (sum, allocation) => sum + allocation.backordered,
        0,
      );
      return {
        sku,
        requestedQuantity: requested.get(sku)!,
        availableQuantity: rows
          .filter((row) => row.sku === sku && active.has(row.warehouseId))
          .reduce((sum, row) => sum + sellableOf(row), 0),
        isAvailable: short.length === 0 && backorderedQuantity === 0,
        backorderedQuantity,
        allocations: taken,
        shortfalls: short,
      };
    });
    const rowVersions: Record<string, Record<string, number>> = {};
    for (const sku of skus) rowVersions[sku] = {};
    for (const row of rows) rowVersions[row.sku]![row.warehouseId] = row.version;
    return { isAvailable: plan.kind === 'plan', lines, allocations, shortfalls, rowVersions };
  }

  private validate(request: CartCheckRequest): void {
    const check = validate();
    const items = (request as { items?: unknown } | undefined)?.items;
    check.check(Array.isArray(items) && items.length > 0, 'items', 'must hold at least one item');
    if (Array.isArray(items)) {
      check.check(
        items.length <= this.settings.maxItems,
        'items',
        `must hold at most ${this.settings.maxItems} items`,
      );
      items.forEach((item: CartItem, index) => {
        check
          .id(item?.sku, `items.${index}.sku`)
          .quantity(item?.quantity, `items.${index}.quantity`)
          .optionalId(item?.warehouseId, `items.${index}.warehouseId`);
      });
    }
    if (request?.strategy !== undefined)
      check.oneOf(request.strategy, 'strategy', ALLOCATION_STRATEGIES);
    if (request?.location !== undefined) {
      check
        .number(request.location?.latitude, 'location.latitude', -90, 90)
        .number(request.location?.longitude, 'location.longitude', -180, 180);
    }
    check.optionalId(request?.preferCountry, 'preferCountry');
    check.optionalId(request?.preferRegion, 'preferRegion');
    check.done();
  }
}
