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
import { stockedSkus } from '../kits/expand-kits.js';
import type { Kit } from '../kits/kit.js';
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
      const warehouseIds = await this.channelFilter(request.channelId);
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
    this.recent.set(reservation.id, [...new Set(reservation.lines.map((line) => line.sku))]);
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

function sameKits(left: ReadonlyMap<string, Kit>, right: ReadonlyMap<string, Kit>): boolean {
  if (left.size !== right.size) return false;
  for (const [sku, kit] of left) if (right.get(sku) !== kit) return false;
  return true;
}

/** True when an error from `reserve` means "not enough stock". */
export function isInsufficientStock(error: unknown): error is InsufficientStockError {
  return isStockroomError(error) && error.code === 'INSUFFICIENT_STOCK';
}
