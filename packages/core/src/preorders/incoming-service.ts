import { EventType, type JsonValue } from '../domain/events.js';
import {
  cancelReceipt,
  type IncomingReceipt,
  ReceiptStatus,
  receiveUnits,
} from '../domain/incoming-receipt.js';
import { reserve, restock, type StockKey } from '../domain/inventory-stock.js';
import type { ChangeContext } from '../domain/movement.js';
import type { Reservation, ReservationLine } from '../domain/reservation.js';
import { InvalidStateError } from '../errors/invalid-state-error.js';
import { NotFoundError } from '../errors/not-found-error.js';
import { VersionConflictError } from '../errors/version-conflict-error.js';
import type { Page, PageRequest } from '../ports/page.js';
import { decodeCursorAs, encodeCursor, pageLimit } from '../ports/paging.js';
import type { ReceiptFilter, ReceiptRows } from '../ports/receipt-port.js';
import type { StockTransaction } from '../ports/stock-store.js';
import { reservationData, saveReservation } from '../reservations/reservation-steps.js';
import { ensureCapacity } from '../services/capacity.js';
import type { ServiceContext } from '../services/service-context.js';
import { runStockChange } from '../services/stock-change.js';
import type { StockChangeSet } from '../services/stock-change-set.js';
import { validate } from '../services/validate.js';

/** A request to record incoming stock (a purchase order line or an advance shipping notice). */
export interface CreateReceiptRequest {
  readonly sku: string;
  readonly warehouseId: string;
  /** Units expected, 1 … 1,000,000,000. */
  readonly quantity: number;
  /** When the units are expected. */
  readonly expectedAt: Date;
  /** The external document (purchase order or shipping notice number). */
  readonly reference?: string;
}

/** A request to receive units of a receipt. */
export interface ReceiveRequest {
  /** Units received now. @default every unit still expected */
  readonly quantity?: number;
}

const STATUSES = Object.values(ReceiptStatus);

/** The data of a receipt event. */
export function receiptData(receipt: IncomingReceipt): { [key: string]: JsonValue } {
  return {
    receiptId: receipt.id,
    sku: receipt.sku,
    warehouseId: receipt.warehouseId,
    quantity: receipt.quantity,
    receivedQuantity: receipt.receivedQuantity,
    preorderedQuantity: receipt.preorderedQuantity,
    expectedAt: receipt.expectedAt.toISOString(),
    reference: receipt.reference,
    status: receipt.status,
  };
}

/**
 * Incoming stock and preorders: receipts of units expected in a warehouse, with the lifecycle
 * `EXPECTED → PARTIALLY_RECEIVED → RECEIVED`, or `CANCELLED` while open.
 *
 * - `create` records what is expected; nothing enters the stock row yet.
 * - A SKU whose policy sets `allowPreorder` lets `reservations.reserve` take units of its open
 *   receipts once sellable units run out: those lines carry `preordered`, `receiptId` and
 *   `expectedAt`, hold nothing in the row, and count in the receipt's `preorderedQuantity`.
 *   Releasing or expiring such a reservation frees the promise; committing it is refused
 *   (INVALID_STATE, state `PREORDERED`) until its units are received.
 * - `receive` puts the units in the row's `available` (a RESTOCK movement), then hands them to
 *   the receipt's preorders, first reserved first served (a RESERVATION movement per line and an
 *   `inventory.preorder.allocated` event per reservation); the rest stays available.
 * - `cancel` is refused while units are preordered (INVALID_STATE, state `PREORDERED`): a
 *   merchant whose supplier cancels decides what each waiting order gets (release it, or
 *   reserve it elsewhere) instead of the library silently shrinking promised orders.
 *
 * Every step is one store transaction in the lane of the receipt's SKU, emits
 * `inventory.receipt.created`, `.received` or `.cancelled`, and takes an idempotency key.
 *
 * @example
 * ```ts
 * await stockroom.policies.set({ sku: 'CONSOLE', allowPreorder: true });
 * const receipt = await stockroom.incoming.create({
 *   sku: 'CONSOLE', warehouseId: 'paris', quantity: 100,
 *   expectedAt: new Date('2027-01-15T00:00:00Z'), reference: 'PO-1042',
 * });
 * const hold = await stockroom.reservations.reserve({ items: [{ sku: 'CONSOLE', quantity: 1 }] });
 * // hold.lines[0].preordered === 1 while CONSOLE has nothing available
 * await stockroom.incoming.receive(receipt.id); // the preorder becomes a held unit
 * ```
 */
export class IncomingService {
  constructor(private readonly context: ServiceContext) {}

  /**
   * Records an EXPECTED receipt.
   * @throws VALIDATION_FAILED, NOT_FOUND (the warehouse), IDEMPOTENCY_KEY_REUSED,
   *   INVALID_STATE (the store keeps no receipts)
   */
  async create(
    request: CreateReceiptRequest,
    context: ChangeContext = {},
  ): Promise<IncomingReceipt> {
    validate()
      .id(request.sku, 'sku')
      .id(request.warehouseId, 'warehouseId')
      .quantity(request.quantity, 'quantity')
      .check(
        request.expectedAt instanceof Date && !Number.isNaN(request.expectedAt.getTime()),
        'expectedAt',
        'must be a valid date',
      )
      .optionalId(request.reference, 'reference')
      .done();
    const keyedRequest = { ...request, expectedAt: request.expectedAt.toISOString() };
    return this.context.keyed.run(context, 'create-receipt', keyedRequest, () =>
      runStockChange(
        this.context,
        {
          skus: [request.sku],
          keyed: { context, command: 'create-receipt', request: keyedRequest },
        },
        async (changes, transaction, now) => {
          const rows = receiptRows(transaction);
          const [warehouse] = await transaction.warehouses.get([request.warehouseId]);
          if (!warehouse) throw new NotFoundError('warehouse', request.warehouseId);
          const receipt: IncomingReceipt = {
            id: this.context.ids.next('receipt'),
            sku: request.sku,
            warehouseId: request.warehouseId,
            quantity: request.quantity,
            receivedQuantity: 0,
            preorderedQuantity: 0,
            expectedAt: request.expectedAt,
            reference: request.reference ?? null,
            status: ReceiptStatus.EXPECTED,
            createdAt: now,
            receivedAt: null,
            cancelledAt: null,
            version: 1,
          };
          await rows.insert(receipt);
          changes.emit(EventType.RECEIPT_CREATED, receipt.sku, receiptData(receipt));
          return receipt;
        },
      ),
    );
  }

  /**
   * Receives units (all those still expected when `quantity` is omitted): they enter the row's
   * `available` (RESTOCK), then the receipt's preorders take them first reserved first served
   * (RESERVATION movements, `inventory.preorder.allocated`). The receipt becomes
   * PARTIALLY_RECEIVED, or RECEIVED once every unit came. Receiving a RECEIVED receipt with no
   * `quantity` returns it unchanged.
   * @throws VALIDATION_FAILED, NOT_FOUND, INVALID_STATE (CANCELLED or RECEIVED, or more units
   *   than still expected), CAPACITY_EXCEEDED, IDEMPOTENCY_KEY_REUSED
   */
  async receive(
    id: string,
    request: ReceiveRequest = {},
    context: ChangeContext = {},
  ): Promise<IncomingReceipt> {
    const check = validate().id(id, 'receiptId');
    if (request.quantity !== undefined) check.quantity(request.quantity, 'quantity');
    check.done();
    const keyedRequest = { id, quantity: request.quantity ?? null };
    return this.context.keyed.run(context, 'receive-receipt', keyedRequest, async () =>
      runStockChange(
        this.context,
        {
          skus: await this.skusOf(id),
          keyed: { context, command: 'receive-receipt', request: keyedRequest },
        },
        async (changes, transaction, now) => {
          const rows = receiptRows(transaction);
          // Lock order as release and expiry take it: reservations, rows, then the receipt.
          const waiting = await rows.preorders(id, { lock: true });
          const found = await rows.get(id);
          if (!found) throw new NotFoundError('receipt', id);
          if (found.status === ReceiptStatus.RECEIVED && request.quantity === undefined)
            return found;
          const key: StockKey = { sku: found.sku, warehouseId: found.warehouseId };
          await changes.loadForWrite([found.sku]);
          const receipt = (await rows.get(id, { lock: true }))!;
          const quantity = request.quantity ?? receipt.quantity - receipt.receivedQuantity;
          const allocated = Math.min(quantity, receipt.preorderedQuantity);
          const next = receiveUnits(receipt, quantity, allocated, now);
          changes.ensureRow(key);
          changes.apply(
            key,
            'RESTOCK',
            (stock, at) => restock(stock, quantity, at),
            {},
            {
              ...context,
              reference: context.reference ?? receipt.reference ?? receipt.id,
            },
          );
          await this.allocate(changes, transaction, receipt, waiting, allocated, context);
          const [warehouse] = await transaction.warehouses.get([receipt.warehouseId]);
          if (warehouse) await ensureCapacity(transaction, changes, warehouse, [receipt.sku]);
          await save(rows, next, receipt.version);
          changes.emit(EventType.RECEIPT_RECEIVED, next.sku, {
            ...receiptData(next),
            receivedNow: quantity,
            allocatedToPreorders: allocated,
          });
          return next;
        },
      ),
    );
  }

  /**
   * Open → CANCELLED: the units not received yet will not come. Cancelling a CANCELLED receipt
   * returns it unchanged.
   * @throws VALIDATION_FAILED, NOT_FOUND, INVALID_STATE (RECEIVED; or state `PREORDERED` while
   *   units are promised to reservations), IDEMPOTENCY_KEY_REUSED
   */
  async cancel(id: string, context: ChangeContext = {}): Promise<IncomingReceipt> {
    validate().id(id, 'receiptId').done();
    return this.context.keyed.run(context, 'cancel-receipt', { id }, async () =>
      runStockChange(
        this.context,
        {
          skus: await this.skusOf(id),
          keyed: { context, command: 'cancel-receipt', request: { id } },
        },
        async (changes, transaction, now) => {
          const rows = receiptRows(transaction);
          const receipt = await rows.get(id, { lock: true });
          if (!receipt) throw new NotFoundError('receipt', id);
          if (receipt.status === ReceiptStatus.CANCELLED) return receipt;
          const next = cancelReceipt(receipt, now);
          await save(rows, next, receipt.version);
          changes.emit(EventType.RECEIPT_CANCELLED, next.sku, receiptData(next));
          return next;
        },
      ),
    );
  }

  /** One receipt, or null (read in the primary, through a transaction). @throws VALIDATION_FAILED */
  async get(id: string): Promise<IncomingReceipt | null> {
    validate().id(id, 'receiptId').done();
    return this.context.store.transaction((transaction) => receiptRows(transaction).get(id));
  }

  /**
   * Receipts, newest first, optionally of one SKU, warehouse and/or status, paged.
   * @throws VALIDATION_FAILED (a filter, or a cursor this service did not issue)
   */
  async list(filter: ReceiptFilter = {}, page: PageRequest = {}): Promise<Page<IncomingReceipt>> {
    const check = validate()
      .optionalId(filter.sku, 'sku')
      .optionalId(filter.warehouseId, 'warehouseId');
    if (filter.status !== undefined) check.oneOf(filter.status, 'status', STATUSES);
    check.done();
    const after = page.cursor ? decodeCursorAs(page.cursor, ['string'] as const)[0] : undefined;
    const limit = pageLimit(page);
    const items = await this.context.store.transaction((transaction) =>
      receiptRows(transaction).list(filter, {
        limit: limit + 1,
        ...(after === undefined ? {} : { after }),
      }),
    );
    const served = items.slice(0, limit);
    const last = served[served.length - 1];
    return {
      items: served,
      nextCursor: items.length > limit && last ? encodeCursor([last.id]) : null,
    };
  }

  /** Hands `allocated` received units to the waiting reservations, oldest first. */
  private async allocate(
    changes: StockChangeSet,
    transaction: StockTransaction,
    receipt: IncomingReceipt,
    waiting: readonly Reservation[],
    allocated: number,
    context: ChangeContext,
  ): Promise<void> {
    let left = allocated;
    for (const reservation of waiting) {
      if (left === 0) break;
      const handed: ReservationLine[] = [];
      const lines = reservation.lines.map((line) => {
        if (left === 0 || line.receiptId !== receipt.id || line.preordered === 0) return line;
        const units = Math.min(line.preordered, left);
        left -= units;
        changes.apply(
          line,
          'RESERVATION',
          (stock, at) => reserve(stock, units, at),
          { reservationId: reservation.id, orderId: reservation.orderId },
          context,
        );
        const next = { ...line, preordered: line.preordered - units };
        handed.push({ ...next, quantity: units });
        return next;
      });
      if (handed.length === 0) continue;
      const next: Reservation = { ...reservation, lines, version: reservation.version + 1 };
      await saveReservation(transaction, next, reservation.version);
      changes.emit(EventType.PREORDER_ALLOCATED, receipt.sku, {
        ...reservationData(next),
        receiptId: receipt.id,
        allocated: handed.map((line) => ({
          sku: line.sku,
          warehouseId: line.warehouseId,
          quantity: line.quantity,
        })),
      });
    }
    if (left !== 0) {
      // preorderedQuantity is the sum of the waiting lines' preordered units (an invariant).
      throw new InvalidStateError(
        `Receipt ${receipt.id} counts ${receipt.preorderedQuantity} preordered units its reservations do not hold`,
        receipt.status,
      );
    }
  }

  /** The SKU of a receipt (receipts never change SKU), for lane routing; [] when unknown. */
  private async skusOf(id: string): Promise<string[]> {
    const receipt = await this.context.store.transaction((transaction) =>
      receiptRows(transaction).get(id),
    );
    return receipt ? [receipt.sku] : [];
  }
}

/** The store's receipt rows. @throws INVALID_STATE when the store keeps no receipts */
function receiptRows(transaction: StockTransaction): ReceiptRows {
  if (!transaction.receipts) {
    throw new InvalidStateError('This store keeps no incoming receipts', 'UNSUPPORTED');
  }
  return transaction.receipts;
}

async function save(rows: ReceiptRows, next: IncomingReceipt, expectedVersion: number) {
  if (!(await rows.update(next, expectedVersion)).applied) {
    throw new VersionConflictError(`Receipt ${next.id} changed concurrently`, { retryable: true });
  }
}
