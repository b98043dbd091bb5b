import { InvalidStateError } from '../errors/invalid-state-error.js';
import type { StockKey } from './inventory-stock.js';

/** The states of a reservation. ACTIVE is the only one that is not final. */
export const ReservationStatus = {
  ACTIVE: 'ACTIVE',
  COMMITTED: 'COMMITTED',
  RELEASED: 'RELEASED',
  EXPIRED: 'EXPIRED',
} as const;

/** One of the reservation states. */
export type ReservationStatus = (typeof ReservationStatus)[keyof typeof ReservationStatus];

/** One allocated line of a reservation: units of a SKU held in one warehouse. */
export interface ReservationLine extends StockKey {
  readonly quantity: number;
  /** Units of this line given back by refunds after the commit. */
  readonly refunded: number;
  /** The kit these units are components of (absent for plain units). */
  readonly kitSku?: string;
  /** Units of this line already committed (sold) by a partial commit while the hold was ACTIVE. */
  readonly committed: number;
  /** Units of this line already given back by a partial release (or the end of a partly committed hold). */
  readonly released: number;
  /**
   * Units of `quantity` promised from an incoming receipt and not held yet (0 for a line held in
   * full). Receiving the receipt turns them into held units; they are not in `reserved` until then.
   */
  readonly preordered: number;
  /** The incoming receipt the line's preordered units come from, or null. */
  readonly receiptId: string | null;
  /** When the receipt is expected (as it was when the line was made), or null. */
  readonly expectedAt: Date | null;
  /**
   * Units of `quantity` not held yet: backordered beyond what was sellable, waiting for a
   * restock of the line's row (0 for an ordinary line). A restock fills them first reserved,
   * first served.
   */
  readonly backordered: number;
}

/**
 * One hold for one checkout. A multi-item, multi-warehouse order is ONE reservation with one
 * line per (sku, warehouse) it draws from.
 */
export interface Reservation {
  readonly id: string;
  readonly status: ReservationStatus;
  readonly orderId: string | null;
  readonly userId: string | null;
  readonly lines: readonly ReservationLine[];
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly committedAt: Date | null;
  /** When it was released or expired. */
  readonly releasedAt: Date | null;
  /** Bumped by every change; used for compare-and-set updates. */
  readonly version: number;
}

/**
 * Units a line holds in its row's `reserved` bucket while the reservation is ACTIVE:
 * `quantity − committed − released − preordered − backordered` (preordered units are promised
 * from an incoming receipt and not held until it is received; backordered units wait for a
 * restock of the line's row).
 */
export function heldOf(line: ReservationLine): number {
  return line.quantity - line.committed - line.released - line.preordered - line.backordered;
}

/**
 * Units of a line that were sold: every unit not released once the reservation is COMMITTED,
 * the partly committed units before (none for a RELEASED or EXPIRED hold).
 */
export function soldOf(line: ReservationLine, status: ReservationStatus): number {
  return status === ReservationStatus.COMMITTED
    ? line.quantity - line.released - line.backordered
    : line.committed;
}

/** True for COMMITTED, RELEASED and EXPIRED. */
export function isFinalReservationStatus(status: ReservationStatus): boolean {
  return status !== ReservationStatus.ACTIVE;
}

/** True when the reservation is ACTIVE and `now` is past its `expiresAt`. */
export function isPastExpiry(reservation: Reservation, now: Date): boolean {
  return (
    reservation.status === ReservationStatus.ACTIVE &&
    now.getTime() >= reservation.expiresAt.getTime()
  );
}

function ensureActive(reservation: Reservation, action: string): void {
  if (reservation.status !== ReservationStatus.ACTIVE) {
    throw new InvalidStateError(
      `Cannot ${action} reservation ${reservation.id}: it is ${reservation.status}`,
      reservation.status,
    );
  }
}

/**
 * ACTIVE → COMMITTED.
 * @throws INVALID_STATE when not ACTIVE, already past `expiresAt`, or a line still has
 *   preordered units (`state`: `PREORDERED`; they can be sold once their receipt is received)
 */
export function commitReservation(reservation: Reservation, now: Date): Reservation {
  ensureActive(reservation, 'commit');
  if (isPastExpiry(reservation, now)) {
    throw new InvalidStateError(
      `Cannot commit reservation ${reservation.id}: it expired at ${reservation.expiresAt.toISOString()}`,
      'EXPIRED',
    );
  }
  const preordered = reservation.lines.reduce((sum, line) => sum + line.preordered, 0);
  if (preordered > 0) {
    throw new InvalidStateError(
      `Cannot commit reservation ${reservation.id}: ${preordered} units are preordered and not received yet`,
      'PREORDERED',
    );
  }
  return {
    ...reservation,
    status: ReservationStatus.COMMITTED,
    committedAt: now,
    version: reservation.version + 1,
  };
}

/** ACTIVE → RELEASED (or EXPIRED when `expired`). @throws INVALID_STATE when not ACTIVE */
export function releaseReservation(
  reservation: Reservation,
  now: Date,
  expired = false,
): Reservation {
  ensureActive(reservation, expired ? 'expire' : 'release');
  return {
    ...reservation,
    status: expired ? ReservationStatus.EXPIRED : ReservationStatus.RELEASED,
    releasedAt: now,
    version: reservation.version + 1,
  };
}

/**
 * Moves `expiresAt` later by `seconds`.
 * @throws INVALID_STATE when not ACTIVE, already past `expiresAt`, or the new expiry would be
 *   more than `maxLifetimeSeconds` after `createdAt`
 */
export function extendReservation(
  reservation: Reservation,
  seconds: number,
  now: Date,
  maxLifetimeSeconds: number,
): Reservation {
  ensureActive(reservation, 'extend');
  if (isPastExpiry(reservation, now)) {
    throw new InvalidStateError(
      `Cannot extend reservation ${reservation.id}: it has expired`,
      'EXPIRED',
    );
  }
  const expiresAt = new Date(reservation.expiresAt.getTime() + seconds * 1000);
  const limit = reservation.createdAt.getTime() + maxLifetimeSeconds * 1000;
  if (expiresAt.getTime() > limit) {
    throw new InvalidStateError(
      `Cannot extend reservation ${reservation.id} past its maximum lifetime of ${maxLifetimeSeconds} s`,
      reservation.status,
    );
  }
  return { ...reservation, expiresAt, version: reservation.version + 1 };
}
