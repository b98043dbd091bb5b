import { EventType, type JsonValue } from '../domain/events.js';
import {
  expectInbound,
  receiveInbound,
  type StockKey,
  shipOut,
} from '../domain/inventory-stock.js';
import type { ChangeContext } from '../domain/movement.js';
import { type Transfer, TransferStatus, transitionTransfer } from '../domain/transfer.js';
import type { Warehouse } from '../domain/warehouse.js';
import { InsufficientStockError } from '../errors/insufficient-stock-error.js';
import { NotFoundError } from '../errors/not-found-error.js';
import { VersionConflictError } from '../errors/version-conflict-error.js';
import type { Page, PageRequest } from '../ports/page.js';
import type { StockTransaction, TransferFilter } from '../ports/stock-store.js';
import { ensureCapacity } from './capacity.js';
import type { ServiceContext } from './service-context.js';
import { runStockChange } from './stock-change.js';
import type { StockChangeSet } from './stock-change-set.js';
import { validate } from './validate.js';

/** A request to move units of one SKU from one warehouse to another. */
export interface CreateTransferRequest {
  readonly sku: string;
  readonly fromWarehouseId: string;
  readonly toWarehouseId: string;
  /** 1 … 1,000,000,000. */
  readonly quantity: number;
}

const STATUSES = Object.values(TransferStatus);

function transferData(transfer: Transfer): { [key: string]: JsonValue } {
  return {
    transferId: transfer.id,
    sku: transfer.sku,
    fromWarehouseId: transfer.fromWarehouseId,
    toWarehouseId: transfer.toWarehouseId,
    quantity: transfer.quantity,
    status: transfer.status,
    createdAt: transfer.createdAt.toISOString(),
    shippedAt: transfer.shippedAt?.toISOString() ?? null,
    receivedAt: transfer.receivedAt?.toISOString() ?? null,
    cancelledAt: transfer.cancelledAt?.toISOString() ?? null,
  };
}

/**
 * Transfers between warehouses: `INITIATED → IN_TRANSIT → RECEIVED`, or `INITIATED → CANCELLED`.
 *
 * Each step is one store transaction (all or nothing) that writes its ledger movements and one
 * `inventory.transfer.updated` event:
 * - `create` checks the source holds enough `available` now, but holds nothing;
 * - `ship` takes the units out of the source's `available` (a `TRANSFER_OUT` movement) and puts
 *   them in the destination's `inTransit` (a `TRANSFER_IN` movement with `inTransit: +q`);
 * - `receive` moves them from the destination's `inTransit` to its `available` (a `TRANSFER_IN`
 *   movement with `inTransit: −q, available: +q`);
 * - `cancel` moves nothing.
 *
 * Repeating a step that already happened returns the transfer unchanged, so every step is safe
 * to retry even without an idempotency key.
 *
 * @example
 * ```ts
 * const transfer = await stockroom.transfers.create({
 *   sku: 'SKU-1', fromWarehouseId: 'paris', toWarehouseId: 'berlin', quantity: 5,
 * });
 * await stockroom.transfers.ship(transfer.id);
 * await stockroom.transfers.receive(transfer.id);
 * ```
 */
export class TransferService {
  constructor(private readonly context: ServiceContext) {}

  /**
   * Creates an INITIATED transfer after checking that the source holds `quantity` available.
   * @throws VALIDATION_FAILED (malformed, or source = destination), NOT_FOUND (a warehouse),
   *   INSUFFICIENT_STOCK (the source holds less available), IDEMPOTENCY_KEY_REUSED
   */
  async create(request: CreateTransferRequest, context: ChangeContext = {}): Promise<Transfer> {
    validate()
      .id(request.sku, 'sku')
      .id(request.fromWarehouseId, 'fromWarehouseId')
      .id(request.toWarehouseId, 'toWarehouseId')
      .quantity(request.quantity, 'quantity')
      .check(
        request.fromWarehouseId !== request.toWarehouseId,
        'toWarehouseId',
        'must differ from fromWarehouseId',
      )
      .done();
    return this.context.keyed.run(context, 'create-transfer', request, () =>
      this.createOnce(request, context),
    );
  }

  private createOnce(request: CreateTransferRequest, context: ChangeContext): Promise<Transfer> {
    return runStockChange(
      this.context,
      { skus: [request.sku], keyed: { context, command: 'create-transfer', request } },
      async (changes, transaction, now) => {
        await this.warehouses(transaction, [request.fromWarehouseId, request.toWarehouseId]);
        const source = await transaction.stock.get({
          sku: request.sku,
          warehouseId: request.fromWarehouseId,
        });
        const available = source?.available ?? 0;
        if (available < request.quantity) {
          throw new InsufficientStockError([
            {
              sku: request.sku,
              warehouseId: request.fromWarehouseId,
              requested: request.quantity,
              available,
            },
          ]);
        }
        const transfer: Transfer = {
          id: this.context.ids.next('transfer'),
          sku: request.sku,
          fromWarehouseId: request.fromWarehouseId,
          toWarehouseId: request.toWarehouseId,
          quantity: request.quantity,
          status: TransferStatus.INITIATED,
          createdAt: now,
          shippedAt: null,
          receivedAt: null,
          cancelledAt: null,
          version: 1,
        };
        await transaction.transfers.insert(transfer);
        changes.emit(EventType.TRANSFER_UPDATED, transfer.sku, transferData(transfer));
        return transfer;
      },
    );
  }

  /**
   * INITIATED → IN_TRANSIT: source `available` −q (TRANSFER_OUT), destination `inTransit` +q
   * (TRANSFER_IN), atomically. Shipping an IN_TRANSIT transfer returns it unchanged.
   * @throws NOT_FOUND, INVALID_STATE (RECEIVED or CANCELLED), INSUFFICIENT_STOCK (the source no
   *   longer holds the units; nothing changes), CAPACITY_EXCEEDED (the destination row's
   *   `maxStockLevel` or the destination warehouse's capacity; in-transit units count)
   */
  async ship(id: string, context: ChangeContext = {}): Promise<Transfer> {
    return this.step(id, context, 'ship', TransferStatus.IN_TRANSIT, async (changes, transfer) => {
      const source: StockKey = { sku: transfer.sku, warehouseId: transfer.fromWarehouseId };
      const destination: StockKey = { sku: transfer.sku, warehouseId: transfer.toWarehouseId };
      const available = changes.row(source)?.available ?? 0;
      if (available < transfer.quantity) {
        throw new InsufficientStockError([{ ...source, requested: transfer.quantity, available }]);
      }
      const references = { transferId: transfer.id };
      changes.apply(
        source,
        'TRANSFER_OUT',
        (stock, now) => shipOut(stock, transfer.quantity, now),
        references,
        context,
      );
      changes.ensureRow(destination);
      changes.apply(
        destination,
        'TRANSFER_IN',
        (stock, now) => expectInbound(stock, transfer.quantity, now),
        references,
        context,
      );
    });
  }

  /**
   * IN_TRANSIT → RECEIVED: destination `inTransit` −q, `available` +q (TRANSFER_IN). Receiving a
   * RECEIVED transfer returns it unchanged.
   * @throws NOT_FOUND, INVALID_STATE (INITIATED or CANCELLED)
   */
  async receive(id: string, context: ChangeContext = {}): Promise<Transfer> {
    return this.step(id, context, 'receive', TransferStatus.RECEIVED, async (changes, transfer) => {
      changes.apply(
        { sku: transfer.sku, warehouseId: transfer.toWarehouseId },
        'TRANSFER_IN',
        (stock, now) => receiveInbound(stock, transfer.quantity, now),
        { transferId: transfer.id },
        context,
      );
    });
  }

  /**
   * INITIATED → CANCELLED (nothing had moved). Cancelling a CANCELLED transfer returns it
   * unchanged.
   * @throws NOT_FOUND, INVALID_STATE (IN_TRANSIT or RECEIVED)
   */
  async cancel(id: string, context: ChangeContext = {}): Promise<Transfer> {
    return this.step(id, context, 'cancel', TransferStatus.CANCELLED, async () => {});
  }

  /** One transfer, or null. */
  async get(id: string): Promise<Transfer | null> {
    validate().id(id, 'transferId').done();
    return this.context.store.reads.transfer(id);
  }

  /**
   * Transfers, newest first, optionally in one status and/or from or to one warehouse, paged.
   * @throws VALIDATION_FAILED
   */
  async list(filter: TransferFilter = {}, page: PageRequest = {}): Promise<Page<Transfer>> {
    const check = validate().optionalId(filter.warehouseId, 'warehouseId');
    if (filter.status !== undefined) check.oneOf(filter.status, 'status', STATUSES);
    check.done();
    return this.context.store.reads.transfers(filter, page);
  }

  private async step(
    id: string,
    context: ChangeContext,
    command: 'ship' | 'receive' | 'cancel',
    status: TransferStatus,
    move: (changes: StockChangeSet, transfer: Transfer) => Promise<void>,
  ): Promise<Transfer> {
    validate().id(id, 'transferId').done();
    return this.context.keyed.run(context, `${command}-transfer`, { id }, () =>
      this.stepOnce(id, context, status, command, move),
    );
  }

  private async stepOnce(
    id: string,
    context: ChangeContext,
    status: TransferStatus,
    command: 'ship' | 'receive' | 'cancel',
    move: (changes: StockChangeSet, transfer: Transfer) => Promise<void>,
  ): Promise<Transfer> {
    // Transfers never change SKU: route by the stored one (a missing transfer fails inside).
    const sku = (await this.context.store.reads.transfer(id))?.sku;
    return runStockChange(
      this.context,
      {
        skus: sku ? [sku] : [],
        keyed: { context, command: `${command}-transfer`, request: { id } },
      },
      async (changes, transaction, now) => {
        const transfer = await transaction.transfers.get(id, { lock: true });
        if (!transfer) throw new NotFoundError('transfer', id);
        if (transfer.status === status) return transfer;
        const next = transitionTransfer(transfer, status, now);
        if (status !== TransferStatus.CANCELLED) {
          await changes.loadForWrite([transfer.sku]);
          await move(changes, transfer);
          const [destination] = await this.warehouses(transaction, [transfer.toWarehouseId]);
          await ensureCapacity(transaction, changes, destination!, [transfer.sku]);
        }
        if (!(await transaction.transfers.update(next, transfer.version)).applied) {
          throw new VersionConflictError(`Transfer ${id} changed concurrently`, {
            retryable: true,
          });
        }
        changes.emit(EventType.TRANSFER_UPDATED, next.sku, transferData(next));
        return next;
      },
    );
  }

  /** The warehouses, in the order asked. @throws NOT_FOUND for the first missing one */
  private async warehouses(
    transaction: StockTransaction,
    ids: readonly string[],
  ): Promise<Warehouse[]> {
    const found = await transaction.warehouses.get(ids);
    return ids.map((id) => {
      const warehouse = found.find((item) => item.id === id);
      if (!warehouse) throw new NotFoundError('warehouse', id);
      return warehouse;
    });
  }
}
