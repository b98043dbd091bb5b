import { planReservation } from '../cart/plan-reservation.js';
import type { GroupOutcome } from '../concurrency/write-lanes.js';
import { EventType } from '../domain/events.js';
import { reserve } from '../domain/inventory-stock.js';
import type { ChangeContext } from '../domain/movement.js';
import { type Reservation, ReservationStatus } from '../domain/reservation.js';
import { sellableOf } from '../domain/sellability.js';
import { InsufficientStockError } from '../errors/insufficient-stock-error.js';
import type { StockTransaction } from '../ports/stock-store.js';
import { cartLimitError, loadCartLimits } from '../sellability/cart-limits.js';
import { fingerprint, lookupIdempotency, storeIdempotency } from '../services/idempotency.js';
import type { ServiceContext } from '../services/service-context.js';
import { type StockChangeGroup, stockChangeGroup } from '../services/stock-change.js';
import type { StockChangeSet } from '../services/stock-change-set.js';
import type { ReservationSettings, ReserveRequest } from './reservation-settings.js';
import { reservationData } from './reservation-steps.js';

/** One reserve request waiting in a lane. */
export interface PendingReserve {
  readonly request: ReserveRequest;
  readonly context: ChangeContext;
  /** The channel's warehouses, when the request names one. */
  readonly warehouseIds?: ReadonlySet<string>;
}

/** What a reserve request of a batch came to (a refusal is the job's error). */
export interface Admission {
  readonly reservation: Reservation;
  /** Answered from the stored result of the same idempotency key. */
  readonly replayed: boolean;
}

/**
 * The reserve requests meeting in a lane's batch (flash-sale batching): the rows of every SKU
 * are read once, the requests are admitted in arrival order while stock lasts — each
 * all-or-nothing on its own — and each row is written once. Batched even when command
 * batching is off.
 */
export function reserveGroup(
  context: ServiceContext,
  settings: ReservationSettings,
): StockChangeGroup<PendingReserve, Admission> {
  return stockChangeGroup(context, {
    always: true,
    apply: (changes, transaction, batch) =>
      admitBatch(context, settings, changes, transaction, batch),
  });
}

async function admitBatch(
  context: ServiceContext,
  settings: ReservationSettings,
  changes: StockChangeSet,
  transaction: StockTransaction,
  batch: readonly PendingReserve[],
): Promise<GroupOutcome<Admission>[]> {
  const now = changes.now;
  await changes.loadForWrite(
    batch.flatMap((pending) => pending.request.items.map((item) => item.sku)),
  );
  const warehouses = await transaction.warehouses.list();
  const cartLimits = await loadCartLimits(
    transaction,
    [...new Set(batch.flatMap((pending) => pending.request.items.map((item) => item.sku)))],
    context.sellability.defaultCartLimits,
  );
  const outcomes: GroupOutcome<Admission>[] = [];
  const created: Reservation[] = [];
  for (const { request, context: changeContext, warehouseIds } of batch) {
    const print = changeContext.idempotencyKey ? fingerprint('reserve', request) : '';
    if (changeContext.idempotencyKey) {
      const found = await lookupIdempotency<Reservation>(transaction, changeContext, print);
      if (found.kind === 'conflict') {
        outcomes.push({ ok: false, error: found.error });
        continue;
      }
      if (found.kind === 'replay') {
        outcomes.push({ ok: true, value: { reservation: found.result, replayed: true } });
        continue;
      }
    }
    const overLimit = cartLimitError(request.items, cartLimits);
    if (overLimit) {
      outcomes.push({ ok: false, error: overLimit });
      continue;
    }
    const items = request.items;
    const plan = planReservation(
      warehouseIds ? { ...request, warehouseIds } : request,
      items.length === 1
        ? changes.rowsOf(items[0]!.sku)
        : [...new Set(items.map((item) => item.sku))].flatMap((sku) => changes.rowsOf(sku)),
      warehouses,
    );
    if (plan.kind === 'shortfall') {
      outcomes.push({ ok: false, error: new InsufficientStockError(plan.shortfalls) });
      continue;
    }
    const reservation: Reservation = {
      id: context.ids.next('reservation'),
      status: ReservationStatus.ACTIVE,
      orderId: request.orderId ?? null,
      userId: request.userId ?? null,
      lines: plan.allocations.map((allocation) => ({ ...allocation, refunded: 0 })),
      createdAt: now,
      expiresAt: new Date(
        now.getTime() + (request.ttlSeconds ?? settings.defaultTtlSeconds) * 1000,
      ),
      committedAt: null,
      releasedAt: null,
      version: 1,
    };
    for (const line of reservation.lines) {
      changes.apply(
        line,
        'RESERVATION',
        (stock, at) => reserve(stock, line.quantity, at),
        { reservationId: reservation.id, orderId: reservation.orderId },
        changeContext,
      );
    }
    changes.emit(EventType.RESERVED, reservation.lines[0]!.sku, reservationData(reservation));
    if (changeContext.idempotencyKey)
      await storeIdempotency(transaction, changeContext, print, reservation, now);
    created.push(reservation);
    outcomes.push({ ok: true, value: { reservation, replayed: false } });
  }
  if (created.length > 0) await transaction.reservations.insert(created);
  // A refused crowd for a SKU with nothing left marks it sold out even when nothing changed.
  for (const outcome of outcomes) {
    if (outcome.ok || !(outcome.error instanceof InsufficientStockError)) continue;
    for (const shortfall of outcome.error.shortfalls) {
      if (changes.rowsOf(shortfall.sku).every((row) => sellableOf(row) === 0))
        changes.markSoldOut(shortfall.sku);
    }
  }
  return outcomes;
}
