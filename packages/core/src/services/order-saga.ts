import { EventType } from '../domain/events.js';
import { endHold } from '../domain/hold-parts.js';
import { adjustAvailable, stockKeyOf, unreserve } from '../domain/inventory-stock.js';
import type { ChangeContext, Movement } from '../domain/movement.js';
import {
  type Reservation,
  type ReservationLine,
  ReservationStatus,
  soldOf,
} from '../domain/reservation.js';
import type { Shortfall } from '../errors/insufficient-stock-error.js';
import { InsufficientStockError } from '../errors/insufficient-stock-error.js';
import { InvalidStateError } from '../errors/invalid-state-error.js';
import { ReceiptBook } from '../preorders/receipt-book.js';
import type { ReservationService } from '../reservations/reservation-service.js';
import type { ReserveRequest } from '../reservations/reservation-settings.js';
import { applyMoves, saveReservation } from '../reservations/reservation-steps.js';
import type { ServiceContext } from './service-context.js';
import { runStockChange } from './stock-change.js';
import type { StockChangeSet } from './stock-change-set.js';
import { validate } from './validate.js';

/** The outcome of an order-placed step. */
export type OrderPlacedResult =
  | { readonly status: 'reserved'; readonly reservation: Reservation }
  | { readonly status: 'rejected'; readonly shortfalls: readonly Shortfall[] };

/** An item to refund on cancellation. */
export interface RefundItem {
  readonly sku: string;
  readonly warehouseId: string;
  readonly quantity: number;
}

/** What cancelling an order did. */
export interface CancelResult {
  /** ACTIVE reservations of the order, now RELEASED. */
  readonly released: readonly Reservation[];
  /** REFUND movements: committed units back to available. */
  readonly refunded: readonly Movement[];
}

/**
 * The order saga's steps, each safe to run more than once with the same idempotency key:
 * placed → reserve; payment succeeded → commit; payment failed or timed out → release;
 * cancelled → release what is held and refund what was sold (all, or the given items).
 */
export class OrderSaga {
  constructor(
    private readonly context: ServiceContext,
    private readonly reservations: ReservationService,
  ) {}

  /** Reserves the order's items; an out-of-stock order is `rejected` with its shortfalls (not thrown). */
  async placed(
    request: ReserveRequest & { readonly orderId: string },
    context: ChangeContext = {},
  ): Promise<OrderPlacedResult> {
    validate().id(request.orderId, 'orderId').done();
    try {
      return { status: 'reserved', reservation: await this.reservations.reserve(request, context) };
    } catch (error) {
      if (error instanceof InsufficientStockError)
        return { status: 'rejected', shortfalls: error.shortfalls };
      throw error;
    }
  }

  /** Commits every ACTIVE reservation of the order; returns them. */
  async paymentSucceeded(orderId: string, context: ChangeContext = {}): Promise<Reservation[]> {
    return this.forEachActive(orderId, (reservation) =>
      this.reservations.commit(reservation.id, this.stepContext(context, reservation)),
    );
  }

  /** Releases every ACTIVE reservation of the order (payment failed or timed out); returns them. */
  async paymentFailed(orderId: string, context: ChangeContext = {}): Promise<Reservation[]> {
    return this.forEachActive(orderId, (reservation) =>
      this.reservations.release(reservation.id, this.stepContext(context, reservation)),
    );
  }

  /**
   * Cancels an order in one transaction: ACTIVE reservations are released; committed quantities
   * (all of them, or the given items) come back to available as REFUND movements.
   * @throws INVALID_STATE when refunding more than was sold and not yet refunded
   */
  async cancel(
    orderId: string,
    items: readonly RefundItem[] | undefined,
    context: ChangeContext = {},
  ): Promise<CancelResult> {
    const check = validate().id(orderId, 'orderId');
    items?.forEach((item, index) => {
      check
        .id(item?.sku, `items.${index}.sku`)
        .id(item?.warehouseId, `items.${index}.warehouseId`)
        .quantity(item?.quantity, `items.${index}.quantity`);
    });
    check.done();
    return this.context.keyed.run(context, 'cancel-order', { orderId, items: items ?? null }, () =>
      this.cancelOnce(orderId, items, context),
    );
  }

  private async cancelOnce(
    orderId: string,
    items: readonly RefundItem[] | undefined,
    context: ChangeContext,
  ): Promise<CancelResult> {
    const skus = new Set<string>();
    for (const reservation of await this.reservations.listByOrder(orderId)) {
      for (const line of reservation.lines) skus.add(line.sku);
    }
    return runStockChange(
      this.context,
      {
        skus: [...skus],
        keyed: { context, command: 'cancel-order', request: { orderId, items: items ?? null } },
      },
      async (changes, transaction, now) => {
        // Lock the order's reservations (in id order) before their stock rows: the order in
        // which commit, release and expiry take their locks, so none of them deadlocks this.
        const listed = await transaction.reservations.listByOrder(orderId);
        const locked = await transaction.reservations.get(
          listed.map((reservation) => reservation.id).sort(),
          { lock: true },
        );
        const byId = new Map(locked.map((reservation) => [reservation.id, reservation]));
        const all = listed.flatMap((reservation) => {
          const current = byId.get(reservation.id);
          return current ? [current] : [];
        });
        await changes.loadForWrite(
          all.flatMap((reservation) => reservation.lines.map((line) => line.sku)),
        );
        const released: Reservation[] = [];
        // A partly committed hold ends COMMITTED when its remainder is released: its sold
        // units are refunded below like those of any committed hold.
        const ended = new Map<string, Reservation>();
        const receipts = new ReceiptBook(transaction);
        for (const reservation of all.filter((item) => item.status === ReservationStatus.ACTIVE)) {
          const step = endHold(reservation, now, 'RELEASED');
          const next = step.next;
          applyMoves(changes, next, step.moves, context);
          await receipts.free(next);
          await saveReservation(transaction, next, reservation.version, {
            lines: step.linesChanged,
          });
          changes.emit(EventType.RELEASED, next.lines[0]!.sku, {
            reservationId: next.id,
            orderId,
            status: next.status,
          });
          released.push(next);
          ended.set(next.id, next);
        }
        await receipts.save();
        const committed = all
          .map((item) => ended.get(item.id) ?? item)
          .filter((item) => item.status === ReservationStatus.COMMITTED);
        const wanted = new Map<string, RefundItem>();
        if (items) {
          for (const item of items) {
            const key = stockKeyOf(item);
            wanted.set(key, {
              ...item,
              quantity: (wanted.get(key)?.quantity ?? 0) + item.quantity,
            });
          }
        }
        const refunded: Movement[] = [];
        for (const reservation of committed) {
          let changed = false;
          const lines = reservation.lines.map((current) => {
            // Backordered units of a cancelled order are never filled: they leave the row's
            // backorders (a RELEASE movement) and the line.
            const line =
              current.backordered > 0
                ? dropBackorder(changes, reservation, current, context)
                : current;
            if (line !== current) changed = true;
            const refundable = soldOf(line, reservation.status) - line.refunded;
            const key = stockKeyOf(line);
            const want = items ? (wanted.get(key)?.quantity ?? 0) : refundable;
            const quantity = Math.min(want, refundable);
            if (quantity <= 0) return line;
            if (items) wanted.set(key, { ...wanted.get(key)!, quantity: want - quantity });
            refunded.push(
              changes.apply(
                line,
                'REFUND',
                (stock, at) => adjustAvailable(stock, quantity, at),
                { reservationId: reservation.id, orderId },
                context,
              ),
            );
            changed = true;
            return { ...line, refunded: line.refunded + quantity };
          });
          if (changed) {
            await saveReservation(
              transaction,
              { ...reservation, lines, version: reservation.version + 1 },
              reservation.version,
            );
          }
        }
        const unmet = [...wanted.values()].filter((item) => item.quantity > 0);
        if (unmet.length > 0) {
          throw new InvalidStateError(
            `Order ${orderId}: cannot refund more than was sold (${unmet.map((item) => `${item.sku}@${item.warehouseId} ×${item.quantity}`).join(', ')})`,
          );
        }
        for (const movement of refunded) {
          changes.emit(EventType.REFUNDED, movement.sku, {
            orderId,
            reservationId: movement.reservationId,
            sku: movement.sku,
            warehouseId: movement.warehouseId,
            quantity: movement.deltas.available,
          });
        }
        return { released, refunded };
      },
    );
  }

  private stepContext(context: ChangeContext, reservation: Reservation): ChangeContext {
    // One saga message touches several reservations: derive a key per reservation.
    return context.idempotencyKey
      ? { ...context, idempotencyKey: `${context.idempotencyKey}:${reservation.id}` }
      : context;
  }

  private async forEachActive(
    orderId: string,
    step: (reservation: Reservation) => Promise<Reservation>,
  ): Promise<Reservation[]> {
    validate().id(orderId, 'orderId').done();
    const reservations = await this.reservations.listByOrder(orderId);
    const results: Reservation[] = [];
    for (const reservation of reservations) {
      if (reservation.status === ReservationStatus.ACTIVE) results.push(await step(reservation));
    }
    return results;
  }
}

/** Drops a committed line's waiting backordered units from its row and from the line. */
function dropBackorder(
  changes: StockChangeSet,
  reservation: Reservation,
  line: ReservationLine,
  context: ChangeContext,
): ReservationLine {
  changes.apply(
    line,
    'RELEASE',
    (stock, at) => unreserve(stock, 0, at, line.backordered),
    { reservationId: reservation.id, orderId: reservation.orderId },
    context,
  );
  return { ...line, quantity: line.quantity - line.backordered, backordered: 0 };
}
