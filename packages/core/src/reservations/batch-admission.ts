import { planWithBackorders } from '../backorders/plan-backorders.js';
import type { GroupOutcome } from '../concurrency/write-lanes.js';
import { EventType } from '../domain/events.js';
import { reserveWithBackorder } from '../domain/inventory-stock.js';
import type { ChangeContext } from '../domain/movement.js';
import { type Reservation, ReservationStatus } from '../domain/reservation.js';
import { sellableOf } from '../domain/sellability.js';
import { InsufficientStockError } from '../errors/insufficient-stock-error.js';
import type { StockTransaction } from '../ports/stock-store.js';
import { backorderRulesOf, cartLimitError, cartLimitsOf } from '../sellability/cart-limits.js';
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
  const skusOfBatch = [
    ...new Set(batch.flatMap((pending) => pending.request.items.map((item) => item.sku))),
  ];
  // One read of the batch's policies gives both the cart limits and the backorder rules.
  const policies = await transaction.policies.get(skusOfBatch);
  const cartLimits = cartLimitsOf(skusOfBatch, policies, context.sellability.defaultCartLimits);
  const backorderRules = backorderRulesOf(policies);
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
    const skus = [...new Set(request.items.map((item) => item.sku))];
    const plan = planWithBackorders(
      warehouseIds ? { ...request, warehouseIds } : request,
      skus.flatMap((sku) => changes.rowsOf(sku)),
      warehouses,
      backorderRules,
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
      lines: plan.allocations.map((allocation) => ({
        sku: allocation.sku,
        warehouseId: allocation.warehouseId,
        quantity: allocation.quantity,
        refunded: 0,
        backordered: allocation.backordered,
      })),
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
        (stock, at) =>
          reserveWithBackorder(stock, line.quantity - line.backordered, line.backordered, at),
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
  // A refused crowd for a SKU with nothing left marks it sold out even when nothing changed
  // (never a SKU that takes backorders: it is never sold out).
  for (const outcome of outcomes) {
    if (outcome.ok || !(outcome.error instanceof InsufficientStockError)) continue;
    for (const shortfall of outcome.error.shortfalls) {
      if (
        backorderRules.get(shortfall.sku)?.backorderPolicy !== 'CONTINUE' &&
        changes.rowsOf(shortfall.sku).every((row) => sellableOf(row) === 0)
      )
        changes.markSoldOut(shortfall.sku);
    }
  }
  for (const [sku, rule] of backorderRules)
    if (rule.backorderPolicy === 'CONTINUE') changes.keepSellable(sku);
  return outcomes;
}
