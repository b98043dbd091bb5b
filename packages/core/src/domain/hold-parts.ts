import { InvalidStateError } from '../errors/invalid-state-error.js';
import type { StockKey } from './inventory-stock.js';
import {
  commitReservation,
  heldOf,
  isPastExpiry,
  type Reservation,
  type ReservationLine,
  ReservationStatus,
  releaseReservation,
} from './reservation.js';

/** Units of one line moved by a step of a hold: sold, given back, or taken. */
export interface LineMove extends StockKey {
  readonly quantity: number;
  readonly type: 'SALE' | 'RELEASE' | 'EXPIRATION' | 'RESERVATION';
  /** Backordered units of the line a release or expiry drops from the row's backorders. */
  readonly backordered?: number;
}

/**
 * What a step of a hold comes to: the reservation after it, and the units each line moved (one
 * ledger movement per move). `linesChanged` says the stored lines must be rewritten.
 */
export interface HoldTransition {
  readonly next: Reservation;
  readonly moves: readonly LineMove[];
  readonly linesChanged: boolean;
}

/** Some units of a reservation's SKU, in one warehouse or spread over the lines of the SKU. */
export interface HoldPart {
  readonly sku: string;
  /** Only the line in this warehouse; without it, the SKU's lines in line order. */
  readonly warehouseId?: string;
  readonly quantity: number;
}

function ensureActive(reservation: Reservation, action: string): void {
  if (reservation.status !== ReservationStatus.ACTIVE) {
    throw new InvalidStateError(
      `Cannot ${action} reservation ${reservation.id}: it is ${reservation.status}`,
      reservation.status,
    );
  }
}

function ensureNotExpired(reservation: Reservation, now: Date, action: string): void {
  if (isPastExpiry(reservation, now)) {
    throw new InvalidStateError(
      `Cannot ${action} reservation ${reservation.id}: it expired at ${reservation.expiresAt.toISOString()}`,
      'EXPIRED',
    );
  }
}

const movesOf = (
  lines: readonly ReservationLine[],
  units: (line: ReservationLine, index: number) => number,
  type: LineMove['type'],
): LineMove[] =>
  lines.flatMap((line, index) => {
    const quantity = units(line, index);
    return quantity > 0 ? [{ sku: line.sku, warehouseId: line.warehouseId, quantity, type }] : [];
  });

/**
 * Ends an ACTIVE hold: every held unit is sold (`COMMITTED`) or given back (`RELEASED`,
 * `EXPIRED`). A hold that sold units by a partial commit ends COMMITTED even when its remainder
 * is released or expires (its lines record the units given back), so refunds still find them.
 * @throws INVALID_STATE when not ACTIVE, or when committing past `expiresAt`
 */
export function endHold(
  reservation: Reservation,
  now: Date,
  end: 'COMMITTED' | 'RELEASED' | 'EXPIRED',
): HoldTransition {
  if (end === 'COMMITTED') {
    const next = commitReservation(reservation, now);
    return { next, moves: movesOf(reservation.lines, heldOf, 'SALE'), linesChanged: false };
  }
  ensureActive(reservation, end === 'EXPIRED' ? 'expire' : 'release');
  const type = end === 'EXPIRED' ? 'EXPIRATION' : 'RELEASE';
  // Held units go back to available; units still waiting for a restock leave the backorders.
  const moves = reservation.lines.flatMap((line): LineMove[] => {
    const quantity = heldOf(line);
    if (quantity === 0 && line.backordered === 0) return [];
    const move: LineMove = { sku: line.sku, warehouseId: line.warehouseId, quantity, type };
    return [line.backordered > 0 ? { ...move, backordered: line.backordered } : move];
  });
  if (!reservation.lines.some((line) => line.committed > 0)) {
    return {
      next: releaseReservation(reservation, now, end === 'EXPIRED'),
      moves,
      linesChanged: false,
    };
  }
  return {
    next: {
      ...reservation,
      status: ReservationStatus.COMMITTED,
      lines: reservation.lines.map((line) => ({
        ...line,
        released: line.released + heldOf(line) + line.backordered,
        backordered: 0,
      })),
      committedAt: reservation.committedAt ?? now,
      releasedAt: now,
      version: reservation.version + 1,
    },
    moves,
    linesChanged: true,
  };
}

/**
 * Commits (sells) or releases some units of an ACTIVE hold. A part naming a warehouse takes
 * from that line; one without takes from the SKU's lines in line order. When nothing is held
 * any more the hold ends: COMMITTED when any unit was sold, else RELEASED.
 * @throws INVALID_STATE when not ACTIVE, when committing past `expiresAt`, or when a part asks
 *   for more units than the hold still has there
 */
export function settleParts(
  reservation: Reservation,
  parts: readonly HoldPart[],
  now: Date,
  kind: 'commit' | 'release',
): HoldTransition {
  ensureActive(reservation, kind);
  if (kind === 'commit') ensureNotExpired(reservation, now, 'commit');
  const taken = reservation.lines.map(() => 0);
  parts.forEach((part, index) => {
    let rest = part.quantity;
    reservation.lines.forEach((line, lineIndex) => {
      if (rest === 0 || line.sku !== part.sku) return;
      if (part.warehouseId !== undefined && line.warehouseId !== part.warehouseId) return;
      const take = Math.min(heldOf(line) - taken[lineIndex]!, rest);
      taken[lineIndex]! += take;
      rest -= take;
    });
    if (rest > 0) {
      const where = part.warehouseId === undefined ? '' : ` in ${part.warehouseId}`;
      throw new InvalidStateError(
        `Cannot ${kind} ${part.quantity} of ${part.sku}${where} (lines.${index}): reservation ${reservation.id} holds ${part.quantity - rest} more there`,
        reservation.status,
      );
    }
  });
  const lines = reservation.lines.map((line, index) =>
    kind === 'commit'
      ? { ...line, committed: line.committed + taken[index]! }
      : { ...line, released: line.released + taken[index]! },
  );
  const ended = lines.every((line) => heldOf(line) === 0);
  const sold = lines.some((line) => line.committed > 0);
  const status = !ended
    ? ReservationStatus.ACTIVE
    : sold
      ? ReservationStatus.COMMITTED
      : ReservationStatus.RELEASED;
  return {
    next: {
      ...reservation,
      status,
      lines,
      committedAt: status === ReservationStatus.COMMITTED ? now : reservation.committedAt,
      releasedAt: ended && kind === 'release' ? now : reservation.releasedAt,
      version: reservation.version + 1,
    },
    moves: movesOf(
      reservation.lines,
      (_line, index) => taken[index]!,
      kind === 'commit' ? 'SALE' : 'RELEASE',
    ),
    linesChanged: true,
  };
}
