import type { CloudEvent } from '../domain/events.js';
import { adjustAvailable, type InventoryStock } from '../domain/inventory-stock.js';
import type { LowStockAlert } from '../domain/low-stock-alert.js';
import type { ChangeContext, Movement } from '../domain/movement.js';
import { ErrorCode } from '../errors/error-codes.js';
import { VersionConflictError } from '../errors/version-conflict-error.js';
import { kitsAmong } from '../kits/refuse-kits.js';
import type { BulkWrites, StockRows, StockTransaction, StockWrite } from '../ports/stock-store.js';
import type { Planned } from './bulk-chunks.js';
import { compareMismatch } from './bulk-compare.js';
import type { BulkUpdateFailure } from './bulk-update.js';
import type { ServiceContext } from './service-context.js';
import type { StockChangeScope, TransactionView } from './stock-change.js';
import type { MovementReferences, NewRowsInsert, StockChangeSet } from './stock-change-set.js';

// Writing one chunk of a bulk import (see `runBulkUpdate`).

/** What one chunk came to. */
export interface BatchOutcome {
  readonly applied: number;
  readonly failed: readonly BulkUpdateFailure[];
}

/**
 * Applies one chunk: with the store's set-based writes (`transaction.bulk`) when it has them,
 * else row by row. Either way the same rows, movements, events and alerts are written.
 */
export function applyChunk(
  context: ServiceContext,
  scope: StockChangeScope,
  batch: readonly Planned[],
  mode: 'set' | 'delta',
  movementContext: ChangeContext,
): Promise<BatchOutcome> {
  const bulk = scope.transaction.bulk;
  return scope.change(
    (changes, transaction) =>
      applyBatch(context, changes, transaction, batch, mode, movementContext),
    bulk ? (transaction) => new BufferedInserts(transaction, bulk) : undefined,
  );
}

/**
 * A view of a transaction for one chunk whose new stock rows are collected and inserted with one
 * set-based write before anything reads or references them, and whose row updates, ledger and
 * outbox appends go through the store's set-based writes.
 */
class BufferedInserts implements TransactionView {
  private pending: InventoryStock[] = [];
  readonly transaction: StockTransaction;

  constructor(
    inner: StockTransaction,
    private readonly bulk: BulkWrites,
  ) {
    const drain = () => this.drain();
    const stock: StockRows = {
      read: async (skus, options) => {
        await drain();
        return inner.stock.read(skus, options);
      },
      get: async (key, options) => {
        await drain();
        return inner.stock.get(key, options);
      },
      insert: async (row) => {
        this.pending.push(row);
        return { applied: true };
      },
      update: async (writes: readonly StockWrite[], unchanged?: readonly InventoryStock[]) => {
        await drain();
        return bulk.updateStock(writes, unchanged);
      },
      updateSettings: async (key, settings, now) => {
        await drain();
        return inner.stock.updateSettings(key, settings, now);
      },
      occupancy: async (warehouseId) => {
        await drain();
        return inner.stock.occupancy(warehouseId);
      },
    };
    const insertManyAlerts = inner.alerts.insertMany?.bind(inner.alerts);
    this.transaction = {
      ...inner,
      stock,
      ledger: {
        append: async (movements: readonly Movement[]) => {
          await drain();
          await bulk.appendMovements(movements);
        },
      },
      outbox: {
        append: async (events: readonly CloudEvent[]) => {
          await drain();
          await bulk.appendEvents(events);
        },
        claim: (limit) => inner.outbox.claim(limit),
        markDelivered: (ids) => inner.outbox.markDelivered(ids),
        markFailed: (ids) => inner.outbox.markFailed(ids),
      },
      alerts: {
        findOpen: async (keys) => {
          await drain();
          return inner.alerts.findOpen(keys);
        },
        get: (id) => inner.alerts.get(id),
        insert: async (alert) => {
          await drain();
          return inner.alerts.insert(alert);
        },
        ...(insertManyAlerts && {
          insertMany: async (alerts: readonly LowStockAlert[]) => {
            await drain();
            return insertManyAlerts(alerts);
          },
        }),
        update: (alert) => inner.alerts.update(alert),
      },
    };
  }

  /** Collects a change set's new rows at once (see `TransactionView.insertAll`). */
  readonly insertAll: NewRowsInsert = async (rows) => {
    for (const row of rows) this.pending.push(row);
    return { applied: true };
  };

  /** Inserts what is still collected once the chunk's change set has flushed. */
  settle(): Promise<void> {
    return this.drain();
  }

  /** Inserts the collected rows; a row created concurrently rolls the chunk back (retryable). */
  async drain(): Promise<void> {
    if (this.pending.length === 0) return;
    const rows = this.pending;
    this.pending = [];
    const outcome = await this.bulk.insertStock(rows);
    if (!outcome.applied) {
      throw new VersionConflictError('Concurrent change to stock rows (created concurrently)', {
        retryable: true,
      });
    }
  }
}

/** An ADJUSTMENT references nothing (one object for every item of every chunk). */
const NO_REFERENCES: MovementReferences = Object.freeze({});

function failItem(
  failed: BulkUpdateFailure[],
  item: Planned,
  code: ErrorCode,
  detail: string,
): void {
  failed.push({ index: item.index, code, detail });
}

/**
 * Applies one batch in `transaction`, item by item: an item that would take `available` below
 * zero, a row over its `maxStockLevel` or a warehouse over its capacity fails on its own (its
 * row is left as it was); the others are written with one ADJUSTMENT movement per changed row.
 */
async function applyBatch(
  context: ServiceContext,
  changes: StockChangeSet,
  transaction: StockTransaction,
  batch: readonly Planned[],
  mode: 'set' | 'delta',
  movementContext: ChangeContext,
): Promise<BatchOutcome> {
  await changes.loadForWrite(batch.map((item) => item.sku));
  const warehouseIds = [...new Set(batch.map((item) => item.warehouseId))].sort();
  const warehouses = new Map(
    (await transaction.warehouses.get(warehouseIds)).map((warehouse) => [warehouse.id, warehouse]),
  );
  // Occupancy of the capacity-limited warehouses, locked like `ensureCapacity` does so two
  // imports cannot both squeeze under the same limit; kept current as items apply.
  const occupancy = new Map<string, number>();
  for (const warehouse of warehouses.values()) {
    if (warehouse.capacity === null) continue;
    await transaction.warehouses.get([warehouse.id], { lock: true });
    occupancy.set(warehouse.id, await transaction.stock.occupancy(warehouse.id));
  }
  // A SKU with no row yet may be a kit, which is never stocked.
  const kits = await kitsAmong(transaction, [
    ...new Set(batch.map((item) => item.sku).filter((sku) => changes.rowsOf(sku).length === 0)),
  ]);
  const failed: BulkUpdateFailure[] = [];
  let applied = 0;
  for (const item of batch) {
    if (kits.has(item.sku)) {
      failItem(
        failed,
        item,
        ErrorCode.KIT_NOT_STOCKABLE,
        `${item.sku} is a kit: kits are never stocked`,
      );
      continue;
    }
    const warehouse = warehouses.get(item.warehouseId);
    if (!warehouse) {
      failItem(failed, item, ErrorCode.NOT_FOUND, `warehouse ${item.warehouseId} not found`);
      continue;
    }
    const row = changes.row(item);
    const available = row?.available ?? 0;
    const mismatch = compareMismatch(item, available);
    if (mismatch) {
      failItem(failed, item, ErrorCode.VERSION_CONFLICT, mismatch);
      continue;
    }
    const change = mode === 'set' ? item.quantity - available : item.quantity;
    if (available + change < 0) {
      failItem(
        failed,
        item,
        ErrorCode.INSUFFICIENT_STOCK,
        `${item.sku}@${item.warehouseId} holds ${available} available; cannot take ${-change}`,
      );
      continue;
    }
    if (change > 0) {
      const total = row?.total ?? 0;
      const maxStockLevel = row ? row.maxStockLevel : context.defaultStockSettings.maxStockLevel;
      if (maxStockLevel !== null && total + change > maxStockLevel) {
        failItem(
          failed,
          item,
          ErrorCode.CAPACITY_EXCEEDED,
          `max stock level of ${item.sku}@${item.warehouseId} is ${maxStockLevel}; the change would make it ${total + change}`,
        );
        continue;
      }
      const occupied = occupancy.get(warehouse.id);
      if (warehouse.capacity !== null && occupied !== undefined) {
        if (occupied + change > warehouse.capacity) {
          failItem(
            failed,
            item,
            ErrorCode.CAPACITY_EXCEEDED,
            `warehouse ${warehouse.id} capacity is ${warehouse.capacity}; the change would make it ${occupied + change}`,
          );
          continue;
        }
      }
    }
    applied += 1;
    // Setting a missing row to 0 still creates it (an empty row the warehouse now lists).
    changes.ensureRow(item);
    if (change === 0) continue;
    changes.apply(
      item,
      'ADJUSTMENT',
      (stock, at) => adjustAvailable(stock, change, at),
      NO_REFERENCES,
      movementContext,
    );
    const occupied = occupancy.get(item.warehouseId);
    if (occupied !== undefined) occupancy.set(item.warehouseId, occupied + change);
  }
  return { applied, failed };
}
