import type { AllocationStrategy, GeoPoint } from '../allocation/allocation-plan.js';
import { planReservation } from '../cart/plan-reservation.js';
import { EventType } from '../domain/events.js';
import { addToLines, splitHoldChange } from '../domain/hold-change.js';
import type { HoldPart, LineMove } from '../domain/hold-parts.js';
import type { ChangeContext } from '../domain/movement.js';
import { isPastExpiry, type Reservation, ReservationStatus } from '../domain/reservation.js';
import { InsufficientStockError } from '../errors/insufficient-stock-error.js';
import { InvalidStateError } from '../errors/invalid-state-error.js';
import { VersionConflictError } from '../errors/version-conflict-error.js';
import { cartLimitError, loadSellingRules } from '../sellability/cart-limits.js';
import type { ServiceContext } from '../services/service-context.js';
import { runStockChange } from '../services/stock-change.js';
import { validate } from '../services/validate.js';
import {
  type ReservationSettings,
  type ReserveItem,
  validateReserve,
} from './reservation-settings.js';
import {
  applyMoves,
  loadReservation,
  partsData,
  reservationData,
  saveReservation,
} from './reservation-steps.js';

/** The new items of a hold (`reservations.change`), and how to spread the extra units. */
export interface ChangeHoldRequest {
  /** Every item the hold should hold after the change (at least one). */
  readonly items: readonly ReserveItem[];
  /** How extra units are spread. @default 'nearest' with a location, else 'priority' */
  readonly strategy?: AllocationStrategy;
  /** The customer's location, for `nearest`. */
  readonly location?: GeoPoint;
  /** Regional fulfilment: try warehouses in this country first. */
  readonly preferCountry?: string;
  /** Regional fulfilment: then warehouses in this region. */
  readonly preferRegion?: string;
  /** A sales channel: extra units come from its warehouses only. @throws NOT_FOUND when unknown */
  readonly channelId?: string;
  /** The caller's compare-and-set: the change applies only to this version of the hold. */
  readonly expectedVersion?: number;
}

/** Units of some lines of a hold, to commit or release (`commitPart`, `releasePart`). */
export interface HoldPartsRequest {
  readonly lines: readonly HoldPart[];
}

/** A part as given, without the keys a caller left undefined (so fingerprints are stable). */
export function partOf(part: HoldPart): HoldPart {
  return part.warehouseId === undefined
    ? { sku: part.sku, quantity: part.quantity }
    : { sku: part.sku, warehouseId: part.warehouseId, quantity: part.quantity };
}

/** Checks a part request. @throws VALIDATION_FAILED */
export function validateParts(id: string, request: HoldPartsRequest, maxLines: number): void {
  const check = validate().id(id, 'reservationId');
  const lines = (request as { lines?: unknown } | undefined)?.lines;
  check.check(Array.isArray(lines) && lines.length > 0, 'lines', 'must hold at least one line');
  if (Array.isArray(lines)) {
    check.check(lines.length <= maxLines, 'lines', `must hold at most ${maxLines} lines`);
    lines.forEach((line: HoldPart, index) => {
      check
        .id(line?.sku, `lines.${index}.sku`)
        .optionalId(line?.warehouseId, `lines.${index}.warehouseId`)
        .quantity(line?.quantity, `lines.${index}.quantity`);
    });
  }
  check.done();
}

/** Checks a change of hold. @throws VALIDATION_FAILED */
export function validateChange(
  id: string,
  request: ChangeHoldRequest,
  settings: ReservationSettings,
): void {
  const check = validate().id(id, 'reservationId');
  if (request?.expectedVersion !== undefined) {
    check.integer(request.expectedVersion, 'expectedVersion', 1, Number.MAX_SAFE_INTEGER);
  }
  check.done();
  validateReserve(request, settings);
}

/** A change of hold as it runs in a lane. */
export interface HoldChangeJob {
  readonly id: string;
  readonly request: ChangeHoldRequest;
  readonly context: ChangeContext;
  /** The SKUs the hold had (as far as known) and wants: the lane and the rows locked first. */
  readonly skus: readonly string[];
  /** The channel's warehouses, when the request names one. */
  readonly warehouseIds: ReadonlySet<string> | undefined;
}

/**
 * Applies a change of hold in one transaction on the lane of its SKUs: the reservation is
 * locked, the units it no longer wants are released, the extra units are planned on the rows as
 * they are after those releases (all-or-nothing), and the reservation is stored by
 * compare-and-set with its new lines. A change to what the hold already holds changes nothing.
 */
export function changeHold(context: ServiceContext, job: HoldChangeJob): Promise<Reservation> {
  const { id, request } = job;
  return runStockChange(
    context,
    {
      skus: job.skus,
      keyed: { context: job.context, command: 'change', request: { id, request } },
    },
    async (changes, transaction, now) => {
      const reservation = await loadReservation(transaction, id);
      if (
        request.expectedVersion !== undefined &&
        request.expectedVersion !== reservation.version
      ) {
        throw new VersionConflictError(
          `Reservation ${id} is at version ${reservation.version}, not ${request.expectedVersion}`,
          {
            retryable: false,
            expectedVersion: request.expectedVersion,
            actualVersion: reservation.version,
          },
        );
      }
      if (reservation.status !== ReservationStatus.ACTIVE || isPastExpiry(reservation, now)) {
        const state =
          reservation.status === ReservationStatus.ACTIVE ? 'EXPIRED' : reservation.status;
        throw new InvalidStateError(`Cannot change reservation ${id}: it is ${state}`, state);
      }
      // A change replans plain units only: kit lines, preordered and backordered units are not
      // split or kept by it yet. Such a hold is released and reserved again instead.
      const unchangeable = reservation.lines.find(
        (line) => line.kitSku !== undefined || line.preordered > 0 || line.backordered > 0,
      );
      if (unchangeable) {
        const state =
          unchangeable.kitSku !== undefined
            ? 'KIT'
            : unchangeable.preordered > 0
              ? 'PREORDERED'
              : 'BACKORDERED';
        throw new InvalidStateError(
          `Cannot change reservation ${id}: it holds ${state.toLowerCase()} units (release it and reserve again)`,
          state,
        );
      }
      const wanted = [...new Set(request.items.map((item) => item.sku))];
      const overLimit = cartLimitError(
        request.items,
        (await loadSellingRules(transaction, wanted, context.sellability.defaultCartLimits)).limits,
      );
      if (overLimit) throw overLimit;
      await changes.loadForWrite([...reservation.lines.map((line) => line.sku), ...wanted]);
      const split = splitHoldChange(reservation, request.items);
      // The hold already holds exactly the items: nothing moves, the version stays.
      if (split.releases.length === 0 && split.extras.length === 0) return reservation;
      applyMoves(changes, reservation, split.releases, job.context);
      let taken: LineMove[] = [];
      if (split.extras.length > 0) {
        const extraSkus = [...new Set(split.extras.map((item) => item.sku))];
        const plan = planReservation(
          {
            items: split.extras,
            ...(request.strategy ? { strategy: request.strategy } : {}),
            ...(request.location ? { location: request.location } : {}),
            ...(request.preferCountry ? { preferCountry: request.preferCountry } : {}),
            ...(request.preferRegion ? { preferRegion: request.preferRegion } : {}),
            ...(job.warehouseIds ? { warehouseIds: job.warehouseIds } : {}),
          },
          extraSkus.flatMap((sku) => changes.rowsOf(sku)),
          await transaction.warehouses.list(),
        );
        if (plan.kind === 'shortfall') throw new InsufficientStockError(plan.shortfalls);
        taken = plan.allocations.map((allocation) => ({
          sku: allocation.sku,
          warehouseId: allocation.warehouseId,
          quantity: allocation.quantity,
          type: 'RESERVATION' as const,
        }));
        applyMoves(changes, reservation, taken, job.context);
      }
      const next: Reservation = {
        ...reservation,
        lines: addToLines(split.lines, taken),
        version: reservation.version + 1,
      };
      await saveReservation(transaction, next, reservation.version, { lines: true });
      changes.emit(EventType.RESERVATION_CHANGED, next.lines[0]!.sku, {
        ...reservationData(next),
        released: partsData(split.releases),
        reserved: partsData(taken),
      });
      return next;
    },
  );
}
