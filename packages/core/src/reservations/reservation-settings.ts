import {
  ALLOCATION_STRATEGIES,
  type AllocationStrategy,
  type GeoPoint,
} from '../allocation/allocation-plan.js';
import { validate } from '../services/validate.js';

/** One requested item of a reservation. */
export interface ReserveItem {
  readonly sku: string;
  readonly quantity: number;
  /** Pins the item to one warehouse. */
  readonly warehouseId?: string;
}

/** A request to hold stock for one checkout. */
export interface ReserveRequest {
  readonly items: readonly ReserveItem[];
  readonly orderId?: string;
  readonly userId?: string;
  /** 1 … the maximum lifetime. @default the service's default TTL (600 s) */
  readonly ttlSeconds?: number;
  /** @default 'nearest' with a location, else 'priority' */
  readonly strategy?: AllocationStrategy;
  /** The customer's location, for `nearest`. */
  readonly location?: GeoPoint;
  /** Regional fulfilment: try warehouses in this country first. */
  readonly preferCountry?: string;
  /** Regional fulfilment: then warehouses in this region. */
  readonly preferRegion?: string;
  /**
   * A sales channel: allocate from its warehouses only (pinned items outside it are short).
   * @throws NOT_FOUND for an unknown channel
   */
  readonly channelId?: string;
}

/** Reservation tuning. */
export interface ReservationSettings {
  /** @default 600 */
  readonly defaultTtlSeconds: number;
  /** The longest a reservation may live, from creation, extensions included. @default 3600 */
  readonly maxLifetimeSeconds: number;
  /** The most reservation requests applied in one store transaction. @default 256 */
  readonly maxBatchSize: number;
  /**
   * Independent batch queues. A request goes to the lane of its smallest SKU: requests for
   * one SKU alone always share a queue, but a multi-SKU order shares only the queue of its
   * smallest SKU. A batch locks the rows of every SKU it touches, so lanes whose batches meet
   * on a SKU (a multi-line order, a hot SKU) wait for each other's locks: more than one lane
   * pays only where SKUs rarely meet.
   * @default 1
   */
  readonly lanes: number;
  /**
   * How many batches of one lane may run at once, over disjoint SKUs: a job touching a SKU of a
   * running batch waits for it, so one SKU's writes stay one at a time and in arrival order, and
   * a hot SKU's crowd still meets in one batch. More than one lets one batch's statements run in
   * the store while the next batch is planned (cold SKUs on PostgreSQL: 1.22× the orders/s of
   * one batch in flight on a quiet machine); it applies only to a store that takes concurrent
   * writers (`multiProcess` and not `singleWriter`), else 1.
   * @default 2 on a store that takes concurrent writers (PostgreSQL), else 1
   */
  readonly batchesInFlight?: number;
  /** The most items one reservation may carry. @default 100 */
  readonly maxItems: number;
}

/** The default reservation settings. */
export const DEFAULT_RESERVATION_SETTINGS: ReservationSettings = Object.freeze({
  defaultTtlSeconds: 600,
  maxLifetimeSeconds: 3600,
  maxBatchSize: 256,
  lanes: 1,
  maxItems: 100,
});

/** Checks a reserve request against the settings. @throws VALIDATION_FAILED */
export function validateReserve(request: ReserveRequest, settings: ReservationSettings): void {
  const check = validate();
  const items = (request as { items?: unknown }).items;
  check.check(Array.isArray(items) && items.length > 0, 'items', 'must hold at least one item');
  if (Array.isArray(items)) {
    check.check(
      items.length <= settings.maxItems,
      'items',
      `must hold at most ${settings.maxItems} items`,
    );
    items.forEach((item: ReserveItem, index) => {
      check
        .id(item?.sku, `items.${index}.sku`)
        .quantity(item?.quantity, `items.${index}.quantity`)
        .optionalId(item?.warehouseId, `items.${index}.warehouseId`);
    });
  }
  check.optionalId(request.orderId, 'orderId').optionalId(request.userId, 'userId');
  check.optionalId(request.channelId, 'channelId');
  if (request.ttlSeconds !== undefined) {
    check.integer(request.ttlSeconds, 'ttlSeconds', 1, settings.maxLifetimeSeconds);
  }
  if (request.strategy !== undefined)
    check.oneOf(request.strategy, 'strategy', ALLOCATION_STRATEGIES);
  if (request.location !== undefined) {
    check
      .number(request.location?.latitude, 'location.latitude', -90, 90)
      .number(request.location?.longitude, 'location.longitude', -180, 180);
  }
  check.done();
}
