import type { AllocationResult } from '../allocation/allocation-plan.js';
import { type BackorderPlanResult, planWithBackorders } from '../backorders/plan-backorders.js';
import { planReservation } from '../cart/plan-reservation.js';
import type { GroupOutcome } from '../concurrency/write-lanes.js';
import { EventType } from '../domain/events.js';
import { reserveWithBackorder } from '../domain/inventory-stock.js';
import type { ChangeContext } from '../domain/movement.js';
import {
  heldOf,
  type Reservation,
  type ReservationLine,
  ReservationStatus,
} from '../domain/reservation.js';
import { sellableOf } from '../domain/sellability.js';
import { InsufficientStockError } from '../errors/insufficient-stock-error.js';
import { stockedSkus } from '../kits/expand-kits.js';
import type { Kit } from '../kits/kit.js';
import type { StockTransaction } from '../ports/stock-store.js';
import { coverWithPreorders } from '../preorders/preorder-plan.js';
import { ReceiptBook } from '../preorders/receipt-book.js';
import { cartLimitError, loadSellingRules } from '../sellability/cart-limits.js';
import { fingerprint, lookupIdempotency, storeIdempotency } from '../services/idempotency.js';
import type { ServiceContext } from '../services/service-context.js';
import { type StockChangeGroup, stockChangeGroup } from '../services/stock-change.js';
import type { StockChangeSet } from '../services/stock-change-set.js';
import type { ReservationSettings, ReserveRequest } from './reservation-settings.js';
import { reservationData } from './reservation-steps.js';

const NO_KITS: ReadonlyMap<string, Kit> = new Map();

/** One reserve request waiting in a lane. */
export interface PendingReserve {
  readonly request: ReserveRequest;
  readonly context: ChangeContext;
  /** The channel's warehouses, when the request names one. */
  readonly warehouseIds?: ReadonlySet<string>;
  /** The kits among the request's SKUs (their components are reserved instead). */
  readonly kits?: ReadonlyMap<string, Kit>;
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
    batch.flatMap((pending) => stockedSkus(pending.request.items, pending.kits ?? NO_KITS)),
  );
  const warehouses = await transaction.warehouses.list();
  const rules = await loadSellingRules(
    transaction,
    [...new Set(batch.flatMap((pending) => pending.request.items.map((item) => item.sku)))],
    context.sellability.defaultCartLimits,
  );
  for (const sku of rules.allowPreorder) changes.keepOffered(sku);
  const receipts = new ReceiptBook(transaction);
  const backorderRules = rules.backorders;
  const outcomes: GroupOutcome<Admission>[] = [];
  const created: Reservation[] = [];
  for (const { request, context: changeContext, warehouseIds, kits = NO_KITS } of batch) {
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
    const overLimit = cartLimitError(request.items, rules.limits);
    if (overLimit) {
      outcomes.push({ ok: false, error: overLimit });
      continue;
    }
    const planRequest = warehouseIds ? { ...request, warehouseIds } : request;
    const skus = [...stockedSkus(request.items, kits)];
    const rows =
      skus.length === 1 ? changes.rowsOf(skus[0]!) : skus.flatMap((sku) => changes.rowsOf(sku));
    const hasKit = request.items.some((item) => kits.has(item.sku));
    // Kits are planned on their components and never backordered or preordered: a kit's
    // components are held together or not at all.
    let plan: AllocationResult | BackorderPlanResult = hasKit
      ? planReservation(planRequest, rows, warehouses, kits)
      : planWithBackorders(planRequest, rows, warehouses, backorderRules);
    let preordered: readonly ReservationLine[] = [];
    if (
      plan.kind === 'shortfall' &&
      !hasKit &&
      plan.shortfalls.every(({ sku }) => rules.allowPreorder.has(sku))
    ) {
      // Sellable units ran out: the SKU's open receipts may cover the rest (preorders).
      const covered = coverWithPreorders(
        planRequest,
        plan.shortfalls,
        rows,
        warehouses,
        await receipts.open(skus),
        rules.allowPreorder,
      );
      if (covered) {
        plan = covered.plan;
        preordered = covered.preordered;
      }
    }
    if (plan.kind === 'shortfall') {
      outcomes.push({ ok: false, error: new InsufficientStockError(plan.shortfalls) });
      continue;
    }
    const reservation: Reservation = {
      id: context.ids.next('reservation'),
      status: ReservationStatus.ACTIVE,
      orderId: request.orderId ?? null,
      userId: request.userId ?? null,
      lines: [
        ...plan.allocations.map(
          (allocation): ReservationLine => ({
            ...allocation,
            refunded: 0,
            committed: 0,
            released: 0,
            preordered: 0,
            backordered: backorderedOf(allocation),
            receiptId: null,
            expectedAt: null,
          }),
        ),
        ...preordered,
      ],
      createdAt: now,
      expiresAt: new Date(
        now.getTime() + (request.ttlSeconds ?? settings.defaultTtlSeconds) * 1000,
      ),
      committedAt: null,
      releasedAt: null,
      version: 1,
    };
    receipts.promise(reservation);
    for (const line of reservation.lines) {
      if (heldOf(line) === 0 && line.backordered === 0) continue;
      changes.apply(
        line,
        'RESERVATION',
        (stock, at) => reserveWithBackorder(stock, heldOf(line), line.backordered, at),
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
  await receipts.save();
  // A refused crowd for a SKU with nothing left marks it sold out even when nothing changed.
  // A kit's shortfall names the kit, which has no rows: its components are marked instead.
  const kitSkus = new Set(batch.flatMap((pending) => [...(pending.kits ?? NO_KITS).keys()]));
  for (const outcome of outcomes) {
    if (outcome.ok || !(outcome.error instanceof InsufficientStockError)) continue;
    for (const shortfall of outcome.error.shortfalls) {
      if (kitSkus.has(shortfall.sku)) continue;
      if (
        !rules.allowPreorder.has(shortfall.sku) &&
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

/** The backordered units of a planned allocation (0 for a plan without backorders). */
function backorderedOf(allocation: object): number {
  return 'backordered' in allocation && typeof allocation.backordered === 'number'
    ? allocation.backordered
    : 0;
}
