import type { JsonValue } from '../domain/events.js';
import type { LineMove } from '../domain/hold-parts.js';
import { reserve, type StockTransition, sell, unreserve } from '../domain/inventory-stock.js';
import type { ChangeContext } from '../domain/movement.js';
import type { Reservation } from '../domain/reservation.js';
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
      ...(line.kitSku === undefined ? {} : { kitSku: line.kitSku }),
      // Only lines settled in parts carry these (the common event stays as it was).
      ...(line.committed > 0 ? { committed: line.committed } : {}),
      ...(line.released > 0 ? { released: line.released } : {}),
      // Preorder fields only on lines that have them, so other lines' data keep their shape.
      ...(line.receiptId === null
        ? {}
        : {
            preordered: line.preordered,
            receiptId: line.receiptId,
            expectedAt: line.expectedAt?.toISOString() ?? null,
          }),
      // Units waiting for a restock (0 for an ordinary line).
      ...(line.backordered > 0 ? { backordered: line.backordered } : {}),
    })),
  };
}

/** The units moved by a step of a hold, as an event lists them. */
export function partsData(moves: readonly LineMove[]): JsonValue[] {
  return moves.map((move) => ({
    sku: move.sku,
    warehouseId: move.warehouseId,
    quantity: move.quantity,
    type: move.type,
  }));
}

/** The stock side of one move of a hold. */
function transitionOf(move: LineMove): StockTransition {
  switch (move.type) {
    case 'SALE':
      return (stock, now) => sell(stock, move.quantity, now);
    case 'RESERVATION':
      return (stock, now) => reserve(stock, move.quantity, now);
    default:
      return (stock, now) => unreserve(stock, move.quantity, now, move.backordered ?? 0);
  }
}

/**
 * Applies one movement per move of a hold: the stock side of commit (SALE), release (RELEASE),
 * expiry (EXPIRATION) and the units a changed hold takes (RESERVATION). Preordered units are
 * not held, so they have no stock side: their promise is freed on the receipt instead (see
 * `ReceiptBook.free`).
 */
export function applyMoves(
  changes: StockChangeSet,
  reservation: Reservation,
  moves: readonly LineMove[],
  context: ChangeContext | { system: string },
): void {
  const changeContext: ChangeContext =
    'system' in context ? { actor: `system:${context.system}` } : context;
  for (const move of moves) {
    changes.apply(
      move,
      move.type,
      transitionOf(move),
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

/**
 * Stores a changed reservation by compare-and-set (`lines`: its lines changed beyond refunds).
 * @throws VERSION_CONFLICT (retryable)
 */
export async function saveReservation(
  transaction: StockTransaction,
  next: Reservation,
  expectedVersion: number,
  options: { readonly lines?: boolean } = {},
): Promise<void> {
  const outcome = await transaction.reservations.update(
    next,
    expectedVersion,
    options.lines ? { lines: true } : undefined,
  );
  if (!outcome.applied) {
    throw new VersionConflictError(`Reservation ${next.id} changed concurrently`, {
      retryable: true,
    });
  }
}

/**
 * `saveReservation` for several (one statement where the store has `updateMany`; those whose
 * lines changed are stored one by one).
 */
export async function saveReservations(
  transaction: StockTransaction,
  items: readonly {
    readonly next: Reservation;
    readonly expectedVersion: number;
    readonly lines?: boolean;
  }[],
): Promise<void> {
  if (items.length === 0) return;
  const rows = transaction.reservations;
  const plain = items.filter((item) => !item.lines);
  for (const item of items) {
    if (item.lines || !rows.updateMany || plain.length === 1) {
      await saveReservation(transaction, item.next, item.expectedVersion, {
        lines: item.lines === true,
      });
    }
  }
  if (!rows.updateMany || plain.length <= 1) return;
  const headers = plain.map(({ next, expectedVersion }) => ({ next, expectedVersion }));
  if (!(await rows.updateMany(headers)).applied) {
    throw new VersionConflictError('A reservation of the batch changed concurrently', {
      retryable: true,
    });
  }
}
