import type { JsonValue } from '../domain/events.js';
import { type StockTransition, sell, unreserve } from '../domain/inventory-stock.js';
import type { ChangeContext, MovementType } from '../domain/movement.js';
import type { Reservation, ReservationLine } from '../domain/reservation.js';
import { NotFoundError } from '../errors/not-found-error.js';
import { VersionConflictError } from '../errors/version-conflict-error.js';
import type { StockTransaction } from '../ports/stock-store.js';
import type { StockChangeSet } from '../services/stock-change-set.js';

// The steps the reservation commands and the order saga share. Internal to the core: not
// exported from the package.

/** The data of a reservation event. */
export function reservationData(reservation: Reservation): { [key: string]: JsonValue } {
  return {
    reservationId: reservation.id,
    status: reservation.status,
    orderId: reservation.orderId,
    userId: reservation.userId,
    expiresAt: reservation.expiresAt.toISOString(),
    lines: reservation.lines.map((line) => ({
      sku: line.sku,
      warehouseId: line.warehouseId,
      quantity: line.quantity,
      backordered: line.backordered,
    })),
  };
}

/**
 * The release side of a reservation line: its held units back to available, its backordered
 * units dropped from the row's backorders.
 */
const unreserveLine =
  (line: ReservationLine): StockTransition =>
  (stock, now) =>
    unreserve(stock, line.quantity - line.backordered, now, line.backordered);

/**
 * The commit side of a reservation line: its held units sold. Its backordered units stay in
 * the row's backorders until a restock fills them; they then leave as sold.
 */
const sellLine =
  (line: ReservationLine): StockTransition =>
  (stock, now) =>
    sell(stock, line.quantity - line.backordered, now);

/**
 * Applies one movement per line: the stock side of commit (SALE), release (RELEASE) and
 * expiry (EXPIRATION).
 */
export function applyLines(
  changes: StockChangeSet,
  reservation: Reservation,
  type: Extract<MovementType, 'SALE' | 'RELEASE' | 'EXPIRATION'>,
  context: ChangeContext | { system: string },
): void {
  const transition = type === 'SALE' ? sellLine : unreserveLine;
  const changeContext: ChangeContext =
    'system' in context ? { actor: `system:${context.system}` } : context;
  for (const line of reservation.lines) {
    changes.apply(
      line,
      type,
      transition(line),
      { reservationId: reservation.id, orderId: reservation.orderId },
      changeContext,
    );
  }
}

/** Loads a reservation (locked) or throws NOT_FOUND. */
export async function loadReservation(
  transaction: StockTransaction,
  id: string,
): Promise<Reservation> {
  const [reservation] = await transaction.reservations.get([id], { lock: true });
  if (!reservation) throw new NotFoundError('reservation', id);
  return reservation;
}

/** Stores a changed reservation by compare-and-set. @throws VERSION_CONFLICT (retryable) */
export async function saveReservation(
  transaction: StockTransaction,
  next: Reservation,
  expectedVersion: number,
): Promise<void> {
  const outcome = await transaction.reservations.update(next, expectedVersion);
  if (!outcome.applied) {
    throw new VersionConflictError(`Reservation ${next.id} changed concurrently`, {
      retryable: true,
    });
  }
}

/** `saveReservation` for several (one statement where the store has `updateMany`). */
export async function saveReservations(
  transaction: StockTransaction,
  items: readonly { readonly next: Reservation; readonly expectedVersion: number }[],
): Promise<void> {
  if (items.length === 0) return;
  const rows = transaction.reservations;
  // `updateMany` also for one item: a store may write only the headers of reservations whose
  // lines carry nothing but quantities (commit, release and expiry never change lines), where
  // `update` writes the lines too (refunds and backorder fills change them).
  if (!rows.updateMany) {
    for (const { next, expectedVersion } of items)
      await saveReservation(transaction, next, expectedVersion);
    return;
  }
  if (!(await rows.updateMany(items)).applied) {
    throw new VersionConflictError('A reservation of the batch changed concurrently', {
      retryable: true,
    });
  }
}
