import { channelWarehouses } from '../channels/channel-filter.js';
import { endHold, settleParts } from '../domain/hold-parts.js';
import type { ChangeContext } from '../domain/movement.js';
import { type Reservation, ReservationStatus } from '../domain/reservation.js';
import { InsufficientStockError } from '../errors/insufficient-stock-error.js';
import { isStockroomError } from '../errors/stockroom-error.js';
import { stockedSkus } from '../kits/expand-kits.js';
import type { Kit } from '../kits/kit.js';
import type { Page, PageRequest } from '../ports/page.js';
import type { ReservationFilter } from '../ports/reservation-port.js';
import { isCartLimitExceeded } from '../sellability/cart-limits.js';
import type { ServiceContext } from '../services/service-context.js';
import { runGroupedStockChange, type StockChangeGroup } from '../services/stock-change.js';
import { validate } from '../services/validate.js';
import { type Admission, type PendingReserve, reserveGroup } from './batch-admission.js';
import {
  type ChangeHoldRequest,
  changeHold,
  type HoldPartsRequest,
  partOf,
  validateChange,
  validateParts,
} from './hold-changes.js';
import { expireDueHolds, extendHold } from './reservation-lifetime.js';
import { validateReservationFilter } from './reservation-listing.js';
import {
  DEFAULT_RESERVATION_SETTINGS,
  type ReservationSettings,
  type ReserveRequest,
  validateReserve,
} from './reservation-settings.js';
import {
  type TransitionJob,
  type TransitionOutcome,
  transitionGroup,
} from './reservation-transitions.js';

const NO_KITS: ReadonlyMap<string, Kit> = new Map();

/**
 * Reserve, commit, release, extend and expire. Concurrent `reserve` calls are grouped into one
 * store transaction per lane (flash-sale batching): rows are read once, requests are admitted in
 * arrival order while stock lasts — each all-or-nothing on its own — and each row is written once.
 */
export class ReservationService {
  private readonly context: ServiceContext;
  private readonly reserveGroup: StockChangeGroup<PendingReserve, Admission>;
  private readonly transitionGroup: StockChangeGroup<TransitionJob, TransitionOutcome>;
  /** Reservation id → its SKUs, for routing commit/release/extend to the right lane. */
  private readonly recent = new Map<string, readonly string[]>();

  constructor(
    context: ServiceContext,
    readonly settings: ReservationSettings = DEFAULT_RESERVATION_SETTINGS,
  ) {
    this.context = context;
    this.reserveGroup = reserveGroup(context, settings);
    this.transitionGroup = transitionGroup(context);
  }

  /**
   * Holds stock for every item, or for none. An item naming a kit holds its components (each
   * component line records the kit in `kitSku`); a SKU reached through several kits and plain
   * items is summed before it is judged.
   * @throws VALIDATION_FAILED for malformed input
   * @throws INSUFFICIENT_STOCK with a shortfall per short SKU; nothing is held
   * @throws IDEMPOTENCY_KEY_REUSED when the key was used for another request
   * @throws STORE_UNAVAILABLE (retryable) when the store made no progress within the retry deadline
   */
  async reserve(request: ReserveRequest, context: ChangeContext = {}): Promise<Reservation> {
    validateReserve(request, this.settings);
    const kits = await this.kitsOf(request);
    const guard = this.context.soldOutGuard;
    if (guard && !context.idempotencyKey && kits.size === 0) {
      const skus = [...new Set(request.items.map((item) => item.sku))];
      const marks = await Promise.all(skus.map((sku) => guard.isSoldOut(sku)));
      if (marks.some(Boolean)) {
        this.context.stats.soldOutRefusals += 1;
        this.context.stats.reservations.refused += 1;
        throw new InsufficientStockError(
          skus
            .filter((_sku, index) => marks[index])
            .map((sku) => ({
              sku,
              requested: request.items
                .filter((item) => item.sku === sku)
                .reduce((sum, item) => sum + item.quantity, 0),
              available: 0,
            })),
        );
      }
    }
    const run = (found: ReadonlyMap<string, Kit>) =>
      this.context.keyed.run(context, 'reserve', request, () =>
        this.reserveInLane(request, context, found),
      );
    try {
      return await run(kits);
    } catch (error) {
      // The kit list the request was expanded with may miss a change another process made a
      // moment ago (a kit SKU taken for an unstocked one): a refusal asks the store's list.
      const directory = this.context.kitDirectory;
      if (!directory || !isInsufficientStock(error)) throw error;
      const fresh = await directory.among(request.items.map((item) => item.sku));
      if (sameKits(fresh, kits)) throw error;
      return run(fresh);
    }
  }

  /** The kits among the request's SKUs, from the in-process kit list. */
  private async kitsOf(request: ReserveRequest): Promise<ReadonlyMap<string, Kit>> {
    const directory = this.context.kitDirectory;
    if (!directory) return NO_KITS;
    return directory.among(
      request.items.map((item) => item.sku),
      { fresh: false },
    );
  }

  /** A channel's warehouses, with other processes' channel changes applied first. */
  private async channelFilter(channelId: string | undefined) {
    if (channelId === undefined) return undefined;
    await this.context.syncWithStore();
    return channelWarehouses(this.context.channelDirectory, channelId);
  }

  private async reserveInLane(
    request: ReserveRequest,
    context: ChangeContext,
    kits: ReadonlyMap<string, Kit>,
  ): Promise<Reservation> {
    const stats = this.context.stats.reservations;
    // The lanes are those of the stocked SKUs: a kit's components, not the kit.
    const skus = stockedSkus(request.items, kits);
    let outcome: Admission;
    try {
      // No await without a channel: the common request costs no extra microtask.
      const warehouseIds =
        request.channelId === undefined ? undefined : await this.channelFilter(request.channelId);
      outcome = await runGroupedStockChange(this.context, this.reserveGroup, skus, {
        request,
        context,
        ...(warehouseIds ? { warehouseIds } : {}),
        ...(kits.size > 0 ? { kits } : {}),
      });
    } catch (error) {
      if (isInsufficientStock(error) || isCartLimitExceeded(error)) stats.refused += 1;
      else stats.failed += 1;
      throw error;
    }
    if (outcome.replayed) context.onReplay?.();
    else stats.admitted += 1;
    this.remember(outcome.reservation);
    return outcome.reservation;
  }

  private remember(reservation: Reservation): void {
    if (this.recent.size >= 100_000) {
      const oldest = this.recent.keys().next().value;
      if (oldest !== undefined) this.recent.delete(oldest);
    }
    const lines = reservation.lines;
    this.recent.set(
      reservation.id,
      lines.length === 1 ? [lines[0]!.sku] : [...new Set(lines.map((line) => line.sku))],
    );
  }

  /**
   * The SKUs of a reservation, for lane routing; [] when unknown. A change of hold made by this
   * process updates them; one made by another process may leave them stale, which only costs
   * lock order (the rows a step writes are loaded for write from the reservation it locked).
   */
  private async skusOf(id: string): Promise<readonly string[]> {
    const known = this.recent.get(id);
    if (known) return known;
    const reservation = await this.context.store.reads.reservation(id);
    if (!reservation) return [];
    this.remember(reservation);
    return this.recent.get(id)!;
  }

  /** The reservation, or null. */
  async get(id: string): Promise<Reservation | null> {
    return this.context.store.reads.reservation(id);
  }

  /**
   * Reservations matching every given filter — a line's SKU and/or warehouse (the same line when
   * both are given), status, order id, creation and expiry ranges (`from` inclusive, `to`
   * exclusive) — newest first by (createdAt, id), paged with the `nextCursor` of the previous
   * page. Paging to the end serves exactly once each reservation that existed before the first
   * page and matched all along, however many are created meanwhile. Reads outside transactions
   * (a replica, when the store has one).
   *
   * @example
   * ```ts
   * const page = await stockroom.reservations.list({ sku: 'SKU-1', status: 'ACTIVE' }, { limit: 50 });
   * const next = await stockroom.reservations.list({ sku: 'SKU-1', status: 'ACTIVE' }, { limit: 50, cursor: page.nextCursor });
   * ```
   * @throws VALIDATION_FAILED for a malformed filter, or a cursor this listing did not issue
   */
  async list(filter: ReservationFilter = {}, page: PageRequest = {}): Promise<Page<Reservation>> {
    validateReservationFilter(filter);
    return this.context.store.reads.reservations(filter, page);
  }

  /**
   * ACTIVE → COMMITTED: the held units are sold (a SALE movement per line). Committing a
   * COMMITTED reservation returns it unchanged.
   * @throws NOT_FOUND, INVALID_STATE (RELEASED, EXPIRED, or past `expiresAt`)
   */
  async commit(id: string, context: ChangeContext = {}): Promise<Reservation> {
    validate().id(id, 'reservationId').done();
    return this.transition(
      { id, context, command: 'commit', request: { id }, kind: 'commit', partial: false },
      (reservation, now) =>
        reservation.status === ReservationStatus.COMMITTED
          ? null
          : endHold(reservation, now, 'COMMITTED'),
    );
  }

  /**
   * Commits (sells) some units of an ACTIVE hold: a SALE movement per line part. The hold ends
   * COMMITTED once nothing is held any more.
   * @example
   * ```ts
   * await stockroom.reservations.commitPart(hold.id, { lines: [{ sku: 'TSHIRT-M', quantity: 1 }] });
   * ```
   * @throws VALIDATION_FAILED for malformed parts
   * @throws NOT_FOUND, INVALID_STATE (not ACTIVE, past `expiresAt`, or a part larger than what
   *   the hold still has for it)
   */
  async commitPart(
    id: string,
    request: HoldPartsRequest,
    context: ChangeContext = {},
  ): Promise<Reservation> {
    return this.settle('commit', id, request, context);
  }

  /**
   * Releases some units of an ACTIVE hold: a RELEASE movement per line part. Once nothing is
   * held the hold ends: COMMITTED when any unit was committed, else RELEASED.
   * @throws VALIDATION_FAILED for malformed parts
   * @throws NOT_FOUND, INVALID_STATE (not ACTIVE, or a part larger than what the hold still has)
   */
  async releasePart(
    id: string,
    request: HoldPartsRequest,
    context: ChangeContext = {},
  ): Promise<Reservation> {
    return this.settle('release', id, request, context);
  }

  /** Commits or releases parts of a hold on the lane of its SKUs (`commitPart`, `releasePart`). */
  private settle(
    kind: 'commit' | 'release',
    id: string,
    request: HoldPartsRequest,
    context: ChangeContext,
  ): Promise<Reservation> {
    validateParts(id, request, this.settings.maxItems);
    const parts = request.lines.map(partOf);
    return this.transition(
      { id, context, command: `${kind}-part`, request: { id, lines: parts }, kind, partial: true },
      (reservation, now) => settleParts(reservation, parts, now, kind),
    );
  }

  /**
   * Replaces the items of an ACTIVE hold in one atomic step: units it already holds and still
   * wants stay held (never released and taken again), units it no longer wants are released,
   * and extra units are taken all-or-nothing through the same plan as `reserve` (strategy,
   * sales channel, safety stock, cart limits). Committed units of a partly committed hold are
   * not touched. One `inventory.reservation.changed` event; RELEASE and RESERVATION movements
   * for the rows that move; the version is bumped. Items equal to what is held change nothing
   * (no event, same version).
   * @example
   * ```ts
   * const edited = await stockroom.reservations.change(hold.id, {
   *   items: [{ sku: 'TSHIRT-M', quantity: 3 }],
   * });
   * ```
   * @throws VALIDATION_FAILED for malformed input
   * @throws NOT_FOUND; INVALID_STATE when not ACTIVE or past `expiresAt`
   * @throws INSUFFICIENT_STOCK (extra units short) or CART_LIMIT_EXCEEDED: nothing changed
   * @throws VERSION_CONFLICT when `expectedVersion` is given and no longer matches
   * @throws IDEMPOTENCY_KEY_REUSED when the key was used for another request
   */
  async change(
    id: string,
    request: ChangeHoldRequest,
    context: ChangeContext = {},
  ): Promise<Reservation> {
    validateChange(id, request, this.settings);
    const changed = await this.context.keyed.run(context, 'change', { id, request }, async () => {
      const warehouseIds = await this.channelFilter(request.channelId);
      const skus = [
        ...new Set([...(await this.skusOf(id)), ...request.items.map((item) => item.sku)]),
      ];
      return changeHold(this.context, { id, request, context, skus, warehouseIds });
    });
    this.remember(changed);
    return changed;
  }

  /**
   * ACTIVE → RELEASED: the held units are available again. Releasing a RELEASED or EXPIRED
   * reservation returns it unchanged.
   * @throws NOT_FOUND, INVALID_STATE (COMMITTED)
   */
  async release(id: string, context: ChangeContext = {}): Promise<Reservation> {
    validate().id(id, 'reservationId').done();
    return this.transition(
      { id, context, command: 'release', request: { id }, kind: 'release', partial: false },
      (reservation, now) =>
        reservation.status === ReservationStatus.RELEASED ||
        reservation.status === ReservationStatus.EXPIRED
          ? null
          : endHold(reservation, now, 'RELEASED'),
    );
  }

  /**
   * Moves `expiresAt` later by `seconds` (1–3600).
   * @throws NOT_FOUND, INVALID_STATE (not ACTIVE, expired, or past the maximum lifetime)
   */
  async extend(id: string, seconds: number, context: ChangeContext = {}): Promise<Reservation> {
    validate().id(id, 'reservationId').integer(seconds, 'seconds', 1, 3600).done();
    const skus = await this.skusOf(id);
    const { maxLifetimeSeconds } = this.settings;
    return extendHold(this.context, { id, seconds, skus, maxLifetimeSeconds }, context);
  }

  /**
   * Expires up to `limit` (≤ 1000) ACTIVE reservations past `expiresAt`, oldest first, in one
   * transaction; their units become available again (EXPIRATION movements).
   * @returns how many expired
   */
  async expireDue(options: { readonly limit?: number } = {}): Promise<number> {
    const limit = Math.min(Math.max(Math.trunc(options.limit ?? 1000), 1), 1000);
    return expireDueHolds(this.context, limit);
  }

  /** Every reservation of an order, oldest first (read in the primary, through a transaction). */
  async listByOrder(orderId: string): Promise<Reservation[]> {
    return this.context.store.transaction((transaction) =>
      transaction.reservations.listByOrder(orderId),
    );
  }

  private async transition(
    job: Omit<TransitionJob, 'decide'>,
    decide: TransitionJob['decide'],
  ): Promise<Reservation> {
    const { id, context } = job;
    return this.context.keyed.run(context, job.command, job.request, async () => {
      const outcome = await runGroupedStockChange(
        this.context,
        this.transitionGroup,
        await this.skusOf(id),
        { ...job, decide },
      );
      if (outcome.replayed) context.onReplay?.();
      if (outcome.changed) context.onChanged?.();
      return outcome.reservation;
    });
  }
}

function sameKits(left: ReadonlyMap<string, Kit>, right: ReadonlyMap<string, Kit>): boolean {
  if (left.size !== right.size) return false;
  for (const [sku, kit] of left) if (right.get(sku) !== kit) return false;
  return true;
}

/** True when an error from `reserve` means "not enough stock". */
export function isInsufficientStock(error: unknown): error is InsufficientStockError {
  return isStockroomError(error) && error.code === 'INSUFFICIENT_STOCK';
}
