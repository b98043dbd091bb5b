import { EventType } from '../domain/events.js';
import { endHold } from '../domain/hold-parts.js';
import type { ChangeContext } from '../domain/movement.js';
import { extendReservation, type Reservation } from '../domain/reservation.js';
import { ReceiptBook } from '../preorders/receipt-book.js';
import { runIdempotent } from '../services/idempotency.js';
import type { ServiceContext } from '../services/service-context.js';
import { runStockChange } from '../services/stock-change.js';
import {
  applyMoves,
  loadReservation,
  reservationData,
  saveReservation,
} from './reservation-steps.js';

// How long a hold lives: extending it, and expiring the holds past their time. Internal to the
// core; `ReservationService` exposes them.

/**
 * Moves a reservation's `expiresAt` later by `seconds` on the lane of its SKUs.
 * @throws NOT_FOUND, INVALID_STATE (not ACTIVE, expired, or past `maxLifetimeSeconds`)
 */
export function extendHold(
  context: ServiceContext,
  request: {
    readonly id: string;
    readonly seconds: number;
    readonly skus: readonly string[];
    readonly maxLifetimeSeconds: number;
  },
  changeContext: ChangeContext,
): Promise<Reservation> {
  const { id, seconds } = request;
  return context.keyed.run(changeContext, 'extend', { id, seconds }, async () =>
    context.lanes.run(request.skus, async (transaction) =>
      runIdempotent(
        transaction,
        changeContext,
        'extend',
        { id, seconds },
        context.clock.now(),
        async () => {
          const reservation = await loadReservation(transaction, id);
          const extended = extendReservation(
            reservation,
            seconds,
            context.clock.now(),
            request.maxLifetimeSeconds,
          );
          await saveReservation(transaction, extended, reservation.version);
          return extended;
        },
      ),
    ),
  );
}

/**
 * Expires up to `limit` ACTIVE reservations past `expiresAt`, oldest first, in one transaction:
 * their held units become available again (EXPIRATION movements), their backorders are dropped
 * and their preorder promises freed.
 * @returns how many expired
 */
export function expireDueHolds(context: ServiceContext, limit: number): Promise<number> {
  return runStockChange(context, {}, async (changes, transaction, now) => {
    const due = await transaction.reservations.claimDue(now, limit);
    if (due.length === 0) return 0;
    await changes.loadForWrite(
      due.flatMap((reservation) => reservation.lines.map((line) => line.sku)),
    );
    const receipts = new ReceiptBook(transaction);
    for (const reservation of due) {
      const step = endHold(reservation, now, 'EXPIRED');
      const expired = step.next;
      applyMoves(changes, expired, step.moves, { system: 'expiry' });
      await receipts.free(expired);
      await saveReservation(transaction, expired, reservation.version, {
        lines: step.linesChanged,
      });
      changes.emit(EventType.RESERVATION_EXPIRED, expired.lines[0]!.sku, reservationData(expired));
    }
    await receipts.save();
    return due.length;
  });
}
