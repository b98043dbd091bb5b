import { channelWarehouses } from '../channels/channel-filter.js';
import { EventType } from '../domain/events.js';
import type { ChangeContext } from '../domain/movement.js';
import {
  commitReservation,
  extendReservation,
  type Reservation,
  ReservationStatus,
  releaseReservation,
} from '../domain/reservation.js';
import { InsufficientStockError } from '../errors/insufficient-stock-error.js';
import { isStockroomError } from '../errors/stockroom-error.js';
import { isCartLimitExceeded } from '../sellability/cart-limits.js';
import { runIdempotent } from '../services/idempotency.js';
import type { ServiceContext } from '../services/service-context.js';
import {
  runGroupedStockChange,
  runStockChange,
  type StockChangeGroup,
} from '../services/stock-change.js';
import { validate } from '../services/validate.js';
import { type Admission, type PendingReserve, reserveGroup } from './batch-admission.js';
import {
  DEFAULT_RESERVATION_SETTINGS,
  type ReservationSettings,
  type ReserveRequest,
  validateReserve,
} from './reservation-settings.js';
import {
  applyLines,
  loadReservation,
  reservationData,
  saveReservation,
} from './reservation-steps.js';
import {
  type TransitionJob,
  type TransitionOutcome,
  transitionGroup,
} from './reservation-transitions.js';

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
   * Holds stock for every item, or for none.
   * @throws VALIDATION_FAILED for malformed input
   * @throws INSUFFICIENT_STOCK with a shortfall per short SKU; nothing is held
   * @throws IDEMPOTENCY_KEY_REUSED when the key was used for another request
   * @throws STORE_UNAVAILABLE (retryable) when the store made no progress within the retry deadline
   */
  async reserve(request: ReserveRequest, context: ChangeContext = {}): Promise<Reservation> {
    validateReserve(request, this.settings);
    const guard = this.context.soldOutGuard;
    if (guard && !context.idempotencyKey) {
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
    return this.context.keyed.run(context, 'reserve', request, () =>
      this.reserveInLane(request, context),
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
  ): Promise<Reservation> {
    const stats = this.context.stats.reservations;
    const skus = skusOfItems(request.items);
    let outcome: Admission;
    try {
      // No await without a channel: the common request costs no extra microtask.
      const warehouseIds =
        request.channelId === undefined ? undefined : await this.channelFilter(request.channelId);
      outcome = await runGroupedStockChange(
        this.context,
        this.reserveGroup,
        skus,
        warehouseIds ? { request, context, warehouseIds } : { request, context },
      );
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

  /** The SKUs of a reservation (lines never change), for lane routing; [] when unknown. */
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
   * ACTIVE → COMMITTED: the held units are sold (a SALE movement per line). Committing a
   * COMMITTED reservation returns it unchanged.
   * @throws NOT_FOUND, INVALID_STATE (RELEASED, EXPIRED, or past `expiresAt`)
   */
  async commit(id: string, context: ChangeContext = {}): Promise<Reservation> {
    validate().id(id, 'reservationId').done();
    return this.transition(id, context, 'commit', (reservation, now) =>
      reservation.status === ReservationStatus.COMMITTED
        ? null
        : commitReservation(reservation, now),
    );
  }

  /**
   * ACTIVE → RELEASED: the held units are available again. Releasing a RELEASED or EXPIRED
   * reservation returns it unchanged.
   * @throws NOT_FOUND, INVALID_STATE (COMMITTED)
   */
  async release(id: string, context: ChangeContext = {}): Promise<Reservation> {
    validate().id(id, 'reservationId').done();
    return this.transition(id, context, 'release', (reservation, now) =>
      reservation.status === ReservationStatus.RELEASED ||
      reservation.status === ReservationStatus.EXPIRED
        ? null
        : releaseReservation(reservation, now),
    );
  }

  /**
   * Moves `expiresAt` later by `seconds` (1–3600).
   * @throws NOT_FOUND, INVALID_STATE (not ACTIVE, expired, or past the maximum lifetime)
   */
  async extend(id: string, seconds: number, context: ChangeContext = {}): Promise<Reservation> {
    validate().id(id, 'reservationId').integer(seconds, 'seconds', 1, 3600).done();
    return this.context.keyed.run(context, 'extend', { id, seconds }, async () =>
      this.context.lanes.run(await this.skusOf(id), async (transaction) =>
        runIdempotent(
          transaction,
          context,
          'extend',
          { id, seconds },
          this.context.clock.now(),
          async () => {
            const reservation = await loadReservation(transaction, id);
            const extended = extendReservation(
              reservation,
              seconds,
              this.context.clock.now(),
              this.settings.maxLifetimeSeconds,
            );
            await saveReservation(transaction, extended, reservation.version);
            return extended;
          },
        ),
      ),
    );
  }

  /**
   * Expires up to `limit` (≤ 1000) ACTIVE reservations past `expiresAt`, oldest first, in one
   * transaction; their units become available again (EXPIRATION movements).
   * @returns how many expired
   */
  async expireDue(options: { readonly limit?: number } = {}): Promise<number> {
    const limit = Math.min(Math.max(Math.trunc(options.limit ?? 1000), 1), 1000);
    return runStockChange(this.context, {}, async (changes, transaction, now) => {
      const due = await transaction.reservations.claimDue(now, limit);
      if (due.length === 0) return 0;
      await changes.loadForWrite(
        due.flatMap((reservation) => reservation.lines.map((line) => line.sku)),
      );
      for (const reservation of due) {
        const expired = releaseReservation(reservation, now, true);
        applyLines(changes, expired, 'EXPIRATION', { system: 'expiry' });
        await saveReservation(transaction, expired, reservation.version);
        changes.emit(
          EventType.RESERVATION_EXPIRED,
          expired.lines[0]!.sku,
          reservationData(expired),
        );
      }
      return due.length;
    });
  }

  /** Every reservation of an order, oldest first (read in the primary, through a transaction). */
  async listByOrder(orderId: string): Promise<Reservation[]> {
    return this.context.store.transaction((transaction) =>
      transaction.reservations.listByOrder(orderId),
    );
  }

  private async transition(
    id: string,
    context: ChangeContext,
    command: 'commit' | 'release',
    decide: (reservation: Reservation, now: Date) => Reservation | null,
  ): Promise<Reservation> {
    return this.context.keyed.run(context, command, { id }, async () => {
      const outcome = await runGroupedStockChange(
        this.context,
        this.transitionGroup,
        await this.skusOf(id),
        { id, context, command, decide },
      );
      if (outcome.replayed) context.onReplay?.();
      if (outcome.changed) context.onChanged?.();
      return outcome.reservation;
    });
  }
}

/** The distinct SKUs of a request's items (no set for the common one-item request). */
function skusOfItems(items: ReserveRequest['items']): string[] {
  return items.length === 1 ? [items[0]!.sku] : [...new Set(items.map((item) => item.sku))];
}

/** True when an error from `reserve` means "not enough stock". */
export function isInsufficientStock(error: unknown): error is InsufficientStockError {
  return isStockroomError(error) && error.code === 'INSUFFICIENT_STOCK';
}
