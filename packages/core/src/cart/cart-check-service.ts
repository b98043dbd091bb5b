import {
  ALLOCATION_STRATEGIES,
  type AllocationResult,
  type AllocationStrategy,
  type GeoPoint,
} from '../allocation/allocation-plan.js';
import { type BackorderPlanResult, planWithBackorders } from '../backorders/plan-backorders.js';
import { channelWarehouses } from '../channels/channel-filter.js';
import { sellableOf } from '../domain/sellability.js';
import { WarehouseStatus } from '../domain/warehouse.js';
import type { Shortfall } from '../errors/insufficient-stock-error.js';
import type { PlannedLine } from '../kits/expand-kits.js';
import { stockedSkus } from '../kits/expand-kits.js';
import { type Kit, kitUnitsAvailable } from '../kits/kit.js';
import { readPreorderState } from '../preorders/preorder-offer.js';
import { coverWithPreorders } from '../preorders/preorder-plan.js';
import { backorderRulesOf } from '../sellability/cart-limits.js';
import type { ServiceContext } from '../services/service-context.js';
import { validate } from '../services/validate.js';
import { planReservation } from './plan-reservation.js';

/** One allocation of a cart check: a planned line and its units that would be backordered. */
export type CartAllocation = PlannedLine & { readonly backordered: number };

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
  /**
   * A sales channel: see and allocate from its warehouses only, as `reserve` with the same
   * channel would (pinned items outside it are short).
   * @throws NOT_FOUND for an unknown channel
   */
  readonly channelId?: string;
}

/**
 * The answer for one SKU of the cart (its items summed). A kit SKU is answered for its
 * components: its shortfalls are those naming the kit or any of its components.
 */
export interface CartLineCheck {
  readonly sku: string;
  /** The cart's units of this SKU, every item of it summed. */
  readonly requestedQuantity: number;
  /**
   * Units of this SKU a reservation could take now: the sellable units (`available` less safety
   * stock) over ACTIVE warehouses (of the channel, when the request names one); for a kit, the
   * kit units its components fill (see `kitUnitsAvailable`).
   */
  readonly availableQuantity: number;
  /**
   * True when a reservation could take this SKU's items now (pinned warehouses included), held
   * or, for a SKU that allows preorders, partly preordered (see `preorders`); false when any of
   * them would be backordered.
   */
  readonly isAvailable: boolean;
  /**
   * Units of this SKU a reservation of the cart would take as backordered (beyond what is
   * sellable, for a SKU whose policy is `CONTINUE`); 0 otherwise.
   */
  readonly backorderedQuantity: number;
  /**
   * Where a reservation of the cart would take this SKU now (for a kit: its component lines;
   * `backordered` of each allocation's units would wait for a restock); empty when the cart is
   * refused.
   */
  readonly allocations: readonly CartAllocation[];
  /** What this SKU lacks (one entry per short pinned warehouse, one for the unpinned rest). */
  readonly shortfalls: readonly Shortfall[];
  /** The units a reservation would preorder from incoming receipts (empty when none). */
  readonly preorders: readonly CartPreorder[];
}

/** Units of a cart a reservation would preorder from one incoming receipt. */
export interface CartPreorder {
  readonly sku: string;
  readonly warehouseId: string;
  /** Units promised from the receipt, not held until it is received. */
  readonly quantity: number;
  readonly receiptId: string;
  /** When the receipt is expected. */
  readonly expectedAt: Date;
}

/** The answer for a whole cart. */
export interface CartCheckResult {
  /** True when a reservation of the whole cart would be admitted now (preorders and backorders
   * included). */
  readonly isAvailable: boolean;
  /** One entry per SKU, in the order the SKUs first appear in `items`. */
  readonly lines: readonly CartLineCheck[];
  /**
   * The reservation's lines if it were made now (merged per (sku, warehouseId), sorted by both),
   * or empty when it would be refused.
   */
  readonly allocations: readonly CartAllocation[];
  /** What a reservation would be refused with (`INSUFFICIENT_STOCK`'s shortfalls); empty if none. */
  readonly shortfalls: readonly Shortfall[];
  /**
   * What a reservation would preorder (SKUs whose policy allows preorders, once their sellable
   * units run out); `allocations` then holds only the units held now.
   */
  readonly preorders: readonly CartPreorder[];
  /** The `version` of every stock row the answer was computed from, by SKU then warehouse id. */
  readonly rowVersions: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** The channel the answer is limited to, when the request named one. */
  readonly channelId?: string;
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
   * @throws NOT_FOUND for an unknown `channelId`
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
    // The warehouse and channel lists are the directory's, brought up to date with other
    // processes' commits.
    await this.context.syncWithStore();
    const kits = (await this.context.kitDirectory?.among(skus)) ?? new Map<string, Kit>();
    const stocked = stockedSkus(request.items, kits);
    // The SKUs' policies (backorders) are read beside the rows: no extra round trip in line.
    const [rows, warehouses, channel, policies] = await Promise.all([
      this.context.store.reads.stockBySkus([...stocked].sort()),
      this.context.warehouseDirectory.list(),
      channelWarehouses(this.context.channelDirectory, request.channelId),
      this.context.store.transaction((transaction) => transaction.policies.get(skus)),
    ]);
    const planRequest = channel ? { ...request, warehouseIds: channel } : request;
    const hasKit = request.items.some((item) => kits.has(item.sku));
    // As in reserve: kits are planned on their components, never backordered or preordered.
    let plan: AllocationResult | BackorderPlanResult = hasKit
      ? planReservation(planRequest, rows, warehouses, kits)
      : planWithBackorders(planRequest, rows, warehouses, backorderRulesOf(policies));
    let preorders: CartPreorder[] = [];
    if (plan.kind === 'shortfall' && !hasKit) {
      // A reservation would cover the shortfalls from incoming receipts where SKUs allow it
      // (kits are not preordered, as in reserve).
      const state = await readPreorderState(this.context, skus);
      const covered = coverWithPreorders(
        planRequest,
        plan.shortfalls,
        rows,
        warehouses,
        state.receipts,
        state.allowPreorder,
      );
      if (covered) {
        plan = covered.plan;
        preorders = covered.preordered.map((line) => ({
          sku: line.sku,
          warehouseId: line.warehouseId,
          quantity: line.preordered,
          receiptId: line.receiptId!,
          expectedAt: line.expectedAt!,
        }));
      }
    }
    const allocations: CartAllocation[] =
      plan.kind === 'plan'
        ? plan.allocations.map((allocation) => ({
            ...allocation,
            backordered: 'backordered' in allocation ? allocation.backordered : 0,
          }))
        : [];
    const shortfalls = plan.kind === 'shortfall' ? plan.shortfalls : [];
    const active = new Set(
      warehouses
        .filter(
          (warehouse) =>
            warehouse.status === WarehouseStatus.ACTIVE && (!channel || channel.has(warehouse.id)),
        )
        .map((warehouse) => warehouse.id),
    );
    const requested = new Map<string, number>();
    for (const item of request.items) {
      requested.set(item.sku, (requested.get(item.sku) ?? 0) + item.quantity);
    }
    const lines = skus.map((sku): CartLineCheck => {
      const kit = kits.get(sku);
      if (kit) {
        const concerned = new Set([sku, ...kit.components.map((component) => component.sku)]);
        const short = shortfalls.filter((shortfall) => concerned.has(shortfall.sku));
        return {
          sku,
          requestedQuantity: requested.get(sku)!,
          availableQuantity: kitUnitsAvailable(
            kit,
            rows.map((row) => ({ ...row, available: sellableOf(row) })),
            (id) => active.has(id),
          ),
          isAvailable: short.length === 0,
          backorderedQuantity: 0,
          preorders: [],
          allocations: allocations.filter((allocation) => allocation.kitSku === sku),
          shortfalls: short,
        };
      }
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
        preorders: preorders.filter((preorder) => preorder.sku === sku),
        allocations: taken.filter((allocation) => allocation.kitSku === undefined),
        shortfalls: short,
      };
    });
    const rowVersions: Record<string, Record<string, number>> = {};
    for (const sku of stocked) rowVersions[sku] = {};
    for (const row of rows) rowVersions[row.sku]![row.warehouseId] = row.version;
    return {
      isAvailable: plan.kind === 'plan',
      lines,
      allocations,
      shortfalls,
      preorders,
      rowVersions,
      ...(request.channelId === undefined ? {} : { channelId: request.channelId }),
    };
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
    check.optionalId(request?.channelId, 'channelId');
    check.done();
  }
}
