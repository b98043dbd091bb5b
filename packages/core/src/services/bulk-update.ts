import { ID_RULE, isValidId, MAX_QUANTITY } from '../domain/ids.js';
import { compareStockKeys, deltas, type StockKey, stockKeyOf } from '../domain/inventory-stock.js';
import type { ChangeContext } from '../domain/movement.js';
import { ErrorCode } from '../errors/error-codes.js';
import { isStockroomError } from '../errors/stockroom-error.js';
import type { StockTransaction } from '../ports/stock-store.js';
import {
  DEFAULT_IDEMPOTENCY_SCOPE,
  fingerprint,
  runIdempotent,
  storeIdempotency,
} from './idempotency.js';
import type { CommitEffects, ServiceContext } from './service-context.js';
import { StockChangeSet } from './stock-change-set.js';
import { validate } from './validate.js';

/** One row of a bulk update. */
export interface BulkUpdateItem {
  readonly sku: string;
  readonly warehouseId: string;
  /** `set`: the new `available` (0 … 1e9). `delta`: a signed, non-zero change of `available`. */
  readonly quantity: number;
}

/** A bulk import of stock levels. */
export interface BulkUpdateRequest {
  /** `set` overwrites `available`; `delta` adds to it. */
  readonly mode: 'set' | 'delta';
  /**
   * All or nothing: with any failing item nothing is applied. Otherwise every valid item is
   * applied and the failures are reported.
   * @default false
   */
  readonly atomic?: boolean;
  readonly items: readonly BulkUpdateItem[];
}

/** Why one item was not applied. */
export interface BulkUpdateFailure {
  /** The item's position in `items`. */
  readonly index: number;
  /**
   * `VALIDATION_FAILED` (malformed item, or a second item for the same row), `NOT_FOUND`
   * (warehouse), `INSUFFICIENT_STOCK` (available would go negative), `CAPACITY_EXCEEDED`, or —
   * in non-atomic mode — the code of a store error that failed the item's whole batch.
   */
  readonly code: ErrorCode;
  readonly detail: string;
}

/** What a bulk update did. */
export interface BulkUpdateResult {
  /** Items applied (an item that changes nothing counts, and writes no movement). */
  readonly applied: number;
  /** Items not applied, by index. In atomic mode with failures, `applied` is 0. */
  readonly failed: readonly BulkUpdateFailure[];
}

/** Items per store transaction (a batch is cut only between SKUs). */
export const BULK_BATCH_SIZE = 500;

const NO_EFFECTS: CommitEffects = { touched: [], replenished: [], soldOut: [] };

interface BatchOutcome {
  readonly applied: number;
  readonly failed: readonly BulkUpdateFailure[];
}

interface Planned extends StockKey {
  readonly index: number;
  readonly quantity: number;
}

/** Thrown inside the atomic transaction to roll it back with the failures found. */
class AtomicRollback extends Error {
  constructor(readonly failed: readonly BulkUpdateFailure[]) {
    super('atomic bulk update rolled back');
  }
}

/**
 * Runs a bulk update (see `AdjustmentService.bulkUpdate`): validates every item first, sorts the
 * valid ones by (sku, warehouseId) and applies them in batches of about {@link BULK_BATCH_SIZE}
 * items, each batch cut between SKUs so a SKU is written, and its cache entry invalidated, once.
 * Non-atomic: one transaction per batch (with an idempotency key, each batch stores its result
 * under `<key>:batch-<n>`, so a retried request replays the batches that committed). Atomic: every
 * batch in one transaction, rolled back when any item fails; the store holds the transaction's
 * writes, this process only one batch at a time.
 */
export async function runBulkUpdate(
  context: ServiceContext,
  request: BulkUpdateRequest,
  changeContext: ChangeContext,
  batchSize = BULK_BATCH_SIZE,
): Promise<BulkUpdateResult> {
  const items = (request as { items?: unknown } | undefined)?.items;
  validate()
    .check(typeof request === 'object' && request !== null, 'request', 'must be an object')
    .oneOf(request?.mode, 'mode', ['set', 'delta'])
    .check(
      request?.atomic === undefined || typeof request.atomic === 'boolean',
      'atomic',
      'must be a boolean',
    )
    .check(Array.isArray(items), 'items', 'must be an array')
    .done();
  const { mode } = request;
  const invalid: BulkUpdateFailure[] = [];
  const planned: Planned[] = [];
  const seen = new Map<string, number>();
  request.items.forEach((item, index) => {
    const problem = itemProblem(item, mode);
    if (problem) {
      invalid.push({ index, code: ErrorCode.VALIDATION_FAILED, detail: problem });
      return;
    }
    const key = stockKeyOf(item);
    const first = seen.get(key);
    if (first !== undefined) {
      invalid.push({
        index,
        code: ErrorCode.VALIDATION_FAILED,
        detail: `same row as items[${first}]; send one item per (sku, warehouseId)`,
      });
      return;
    }
    seen.set(key, index);
    planned.push({ index, sku: item.sku, warehouseId: item.warehouseId, quantity: item.quantity });
  });
  planned.sort(compareStockKeys);
  const batches = cutBatches(planned, batchSize);
  const reason = changeContext.reason ?? `bulk update (${mode})`;
  const movementContext: ChangeContext = { ...changeContext, reason };

  if (request.atomic) {
    let effects: CommitEffects = NO_EFFECTS;
    try {
      const applied = await context.transact(async (transaction) => {
        effects = NO_EFFECTS;
        const now = context.clock.now();
        return runIdempotent(transaction, changeContext, 'bulk-update', request, now, async () => {
          const failed = [...invalid];
          let count = 0;
          const merged: CommitEffects[] = [];
          for (const batch of batches) {
            const outcome = await applyBatch(context, transaction, batch, mode, movementContext);
            failed.push(...outcome.failed);
            count += outcome.applied;
            merged.push(outcome.effects);
          }
          if (failed.length > 0) throw new AtomicRollback(failed);
          effects = mergeEffects(merged);
          const result: BulkUpdateResult = { applied: count, failed: [] };
          return result;
        });
      });
      await context.afterCommit(effects);
      return bulkResultOf(applied);
    } catch (error) {
      if (error instanceof AtomicRollback) return { applied: 0, failed: byIndex(error.failed) };
      throw error;
    }
  }

  const failed = [...invalid];
  let applied = 0;
  for (const [number, batch] of batches.entries()) {
    const batchContext: ChangeContext = changeContext.idempotencyKey
      ? { ...movementContext, idempotencyKey: `${changeContext.idempotencyKey}:batch-${number}` }
      : movementContext;
    let effects: CommitEffects = NO_EFFECTS;
    try {
      const outcome = await context.transact(async (transaction) => {
        effects = NO_EFFECTS;
        const now = context.clock.now();
        // Indexes are part of the batch's identity: a replay reports failures by index.
        return runIdempotent(
          transaction,
          batchContext,
          'bulk-update-batch',
          { mode, batch },
          now,
          async (): Promise<BatchOutcome> => {
            const result = await applyBatch(context, transaction, batch, mode, batchContext);
            effects = result.effects;
            return { applied: result.applied, failed: result.failed };
          },
        );
      });
      applied += outcome.applied;
      failed.push(...outcome.failed);
    } catch (error) {
      if (!isStockroomError(error)) throw error;
      context.logger.warn(
        { err: error, batch: number, items: batch.length },
        'bulk update batch failed; its items are reported as failed',
      );
      for (const item of batch) {
        failed.push({ index: item.index, code: error.code, detail: error.message });
      }
    }
    await context.afterCommit(effects);
  }
  const result: BulkUpdateResult = { applied, failed: byIndex(failed) };
  if (changeContext.idempotencyKey) {
    // The whole call's answer under its own key, so a replay is answered without a batch.
    const now = context.clock.now();
    await context.transact(async (transaction) => {
      const print = fingerprint('bulk-update', request);
      if (
        !(await transaction.idempotency.get(
          changeContext.idempotencyScope ?? DEFAULT_IDEMPOTENCY_SCOPE,
          changeContext.idempotencyKey!,
        ))
      ) {
        await storeIdempotency(transaction, changeContext, print, result, now);
      }
    });
  }
  return result;
}

/** Why an item is malformed, or null. */
function itemProblem(item: BulkUpdateItem | undefined, mode: 'set' | 'delta'): string | null {
  if (typeof item !== 'object' || item === null) return 'must be an object';
  if (!isValidId(item.sku)) return `sku ${ID_RULE}`;
  if (!isValidId(item.warehouseId)) return `warehouseId ${ID_RULE}`;
  const quantity = item.quantity;
  if (typeof quantity !== 'number' || !Number.isInteger(quantity)) {
    return 'quantity must be an integer';
  }
  if (mode === 'set' && (quantity < 0 || quantity > MAX_QUANTITY)) {
    return `quantity must be from 0 to ${MAX_QUANTITY}`;
  }
  if (mode === 'delta' && (quantity === 0 || Math.abs(quantity) > MAX_QUANTITY)) {
    return `quantity must be a non-zero integer from -${MAX_QUANTITY} to ${MAX_QUANTITY}`;
  }
  return null;
}

/** Cuts sorted items into batches of at least `size` items, never splitting a SKU. */
function cutBatches(items: readonly Planned[], size: number): Planned[][] {
  const batches: Planned[][] = [];
  let current: Planned[] = [];
  for (const item of items) {
    const previous = current[current.length - 1];
    if (current.length >= size && previous && previous.sku !== item.sku) {
      batches.push(current);
      current = [];
    }
    current.push(item);
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/**
 * Applies one batch in `transaction`, item by item: an item that would take `available` below
 * zero, a row over its `maxStockLevel` or a warehouse over its capacity fails on its own (its
 * row is left as it was); the others are written with one ADJUSTMENT movement per changed row.
 */
async function applyBatch(
  context: ServiceContext,
  transaction: StockTransaction,
  batch: readonly Planned[],
  mode: 'set' | 'delta',
  movementContext: ChangeContext,
): Promise<BatchOutcome & { readonly effects: CommitEffects }> {
  const now = context.clock.now();
  const changes = new StockChangeSet(transaction, context, now);
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
  const failed: BulkUpdateFailure[] = [];
  let applied = 0;
  for (const item of batch) {
    const fail = (code: ErrorCode, detail: string) =>
      failed.push({ index: item.index, code, detail });
    const warehouse = warehouses.get(item.warehouseId);
    if (!warehouse) {
      fail(ErrorCode.NOT_FOUND, `warehouse ${item.warehouseId} not found`);
      continue;
    }
    const row = changes.row(item);
    const available = row?.available ?? 0;
    const change = mode === 'set' ? item.quantity - available : item.quantity;
    if (available + change < 0) {
      fail(
        ErrorCode.INSUFFICIENT_STOCK,
        `${item.sku}@${item.warehouseId} holds ${available} available; cannot take ${-change}`,
      );
      continue;
    }
    if (change > 0) {
      const total = row?.total ?? 0;
      const maxStockLevel = row ? row.maxStockLevel : context.defaultStockSettings.maxStockLevel;
      if (maxStockLevel !== null && total + change > maxStockLevel) {
        fail(
          ErrorCode.CAPACITY_EXCEEDED,
          `max stock level of ${item.sku}@${item.warehouseId} is ${maxStockLevel}; the change would make it ${total + change}`,
        );
        continue;
      }
      const occupied = occupancy.get(warehouse.id);
      if (warehouse.capacity !== null && occupied !== undefined) {
        if (occupied + change > warehouse.capacity) {
          fail(
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
    changes.apply(item, 'ADJUSTMENT', deltas({ available: change }), {}, movementContext);
    const occupied = occupancy.get(item.warehouseId);
    if (occupied !== undefined) occupancy.set(item.warehouseId, occupied + change);
  }
  const effects = await changes.flush();
  return { applied, failed, effects };
}

function mergeEffects(all: readonly CommitEffects[]): CommitEffects {
  const union = (pick: (effects: CommitEffects) => readonly string[]) => [
    ...new Set(all.flatMap(pick)),
  ];
  return {
    touched: union((effects) => effects.touched),
    replenished: union((effects) => effects.replenished),
    soldOut: union((effects) => effects.soldOut),
  };
}

function byIndex(failed: readonly BulkUpdateFailure[]): BulkUpdateFailure[] {
  return [...failed].sort((left, right) => left.index - right.index);
}

/** A stored atomic bulk result; records written by earlier versions hold the applied count alone. */
export function bulkResultOf(stored: BulkUpdateResult | number): BulkUpdateResult {
  return typeof stored === 'number' ? { applied: stored, failed: [] } : stored;
}
