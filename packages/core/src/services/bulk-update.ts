import type { CloudEvent } from '../domain/events.js';
import { ID_RULE, isValidId, MAX_QUANTITY } from '../domain/ids.js';
import {
  compareStockKeys,
  deltas,
  type InventoryStock,
  type StockKey,
  stockKeyOf,
} from '../domain/inventory-stock.js';
import type { ChangeContext, Movement } from '../domain/movement.js';
import { ErrorCode } from '../errors/error-codes.js';
import { isStockroomError } from '../errors/stockroom-error.js';
import { VersionConflictError } from '../errors/version-conflict-error.js';
import type { BulkWrites, StockRows, StockTransaction, StockWrite } from '../ports/stock-store.js';
import { type BulkCompare, compareMismatch, expectedQuantityProblem } from './bulk-compare.js';
import {
  DEFAULT_IDEMPOTENCY_SCOPE,
  fingerprint,
  runIdempotent,
  storeIdempotency,
} from './idempotency.js';
import type { CommitEffects, ServiceContext } from './service-context.js';
import { StockChangeSet } from './stock-change-set.js';
import { validate } from './validate.js';

/** One row of a bulk update; `expectedQuantity` (optional) makes it a compare-and-set. */
export interface BulkUpdateItem extends BulkCompare {
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
  /**
   * The rows: an array, or any iterable or async iterable (a generator reading a file, a
   * database cursor…), which is read in chunks of `bulkBatchSize` items and never held in
   * memory as a whole. An async iterable is read once: an atomic import of one that conflicts
   * with a concurrent write fails with a non-retryable `VERSION_CONFLICT` instead of being
   * retried (an array is retried as usual).
   */
  readonly items: BulkUpdateItems;
}

/** The items of a bulk update: an array, an iterable or an async iterable. */
export type BulkUpdateItems = Iterable<BulkUpdateItem> | AsyncIterable<BulkUpdateItem>;

/** Why one item was not applied. */
export interface BulkUpdateFailure {
  /** The item's position in `items` (in the order an iterable yields them). */
  readonly index: number;
  /**
   * `VALIDATION_FAILED` (malformed item, or a second item for the same row), `NOT_FOUND`
   * (warehouse), `VERSION_CONFLICT` (the row's available is not the item's
   * `expectedQuantity`), `INSUFFICIENT_STOCK` (available would go negative),
   * `CAPACITY_EXCEEDED`, or —
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

/** Items per chunk: one store transaction each (non-atomic), sorted by (sku, warehouseId). */
export const BULK_BATCH_SIZE = 2000;

const NO_EFFECTS: CommitEffects = { touched: [], replenished: [], soldOut: [] };

interface BatchOutcome {
  readonly applied: number;
  readonly failed: readonly BulkUpdateFailure[];
}

interface Planned extends StockKey, BulkCompare {
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
 * Runs a bulk update (see `AdjustmentService.bulkUpdate`). Streams: reads `items` in chunks of
 * `batchSize`, validates each item as it comes (a second item for a row already seen anywhere
 * earlier in the import fails), sorts the chunk's valid items by (sku, warehouseId) — the lock
 * order — and applies the chunk with set-based writes where the store offers them
 * (`StockTransaction.bulk`). Only one chunk, the failures and the keys seen so far are held in
 * memory. Non-atomic: one transaction per chunk (with an idempotency key, each chunk stores its
 * result under `<key>:batch-<n>`, so a retried request replays the chunks that committed).
 * Atomic: every chunk in one transaction, rolled back when any item fails.
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
    .check(isItems(items), 'items', 'must be an array or an (async) iterable')
    .done();
  const { mode } = request;
  const reason = changeContext.reason ?? `bulk update (${mode})`;
  const movementContext: ChangeContext = { ...changeContext, reason };
  const printed = bulkFingerprintRequest(request);

  if (request.atomic) {
    let effects: CommitEffects = NO_EFFECTS;
    let attempts = 0;
    try {
      const applied = await context.transact(async (transaction) => {
        effects = NO_EFFECTS;
        attempts += 1;
        if (attempts > 1 && !Array.isArray(request.items)) {
          // A stream cannot be read twice: the caller retries with a fresh one.
          throw new VersionConflictError(
            'The bulk update conflicted with a concurrent write and its items cannot be read again; retry the call',
            { retryable: false },
          );
        }
        const now = context.clock.now();
        return runIdempotent(transaction, changeContext, 'bulk-update', printed, now, async () => {
          const failed: BulkUpdateFailure[] = [];
          let count = 0;
          const merged: CommitEffects[] = [];
          const planner = new ChunkPlanner(
            mode,
            Array.isArray(request.items) ? request.items : undefined,
          );
          for await (const chunk of readChunks(request.items, batchSize)) {
            const planned = planner.plan(chunk, failed);
            if (planned.length === 0) continue;
            const outcome = await applyChunk(context, transaction, planned, mode, movementContext);
            failed.push(...outcome.failed);
            count += outcome.applied;
            if (failed.length === 0) merged.push(outcome.effects);
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

  const failed: BulkUpdateFailure[] = [];
  const planner = new ChunkPlanner(mode, Array.isArray(request.items) ? request.items : undefined);
  let applied = 0;
  let number = 0;
  for await (const chunk of readChunks(request.items, batchSize)) {
    const batch = planner.plan(chunk, failed);
    if (batch.length === 0) continue;
    const batchContext: ChangeContext = changeContext.idempotencyKey
      ? { ...movementContext, idempotencyKey: `${changeContext.idempotencyKey}:batch-${number}` }
      : movementContext;
    number += 1;
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
            const result = await applyChunk(context, transaction, batch, mode, batchContext);
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
        { err: error, batch: number - 1, items: batch.length },
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
      const print = fingerprint('bulk-update', printed);
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

/**
 * What the idempotency fingerprint of a bulk update covers: the whole request for an array; for
 * an iterable (which cannot be read twice) its mode and atomicity only — each non-atomic chunk
 * is still fingerprinted with its items under its own key.
 */
export function bulkFingerprintRequest(request: BulkUpdateRequest): unknown {
  if (Array.isArray(request?.items)) return request;
  return { mode: request?.mode, atomic: request?.atomic ?? false, items: 'stream' };
}

function isItems(items: unknown): items is BulkUpdateItems {
  if (Array.isArray(items)) return true;
  if (typeof items !== 'object' || items === null || typeof items === 'string') return false;
  return (
    typeof (items as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator] === 'function' ||
    typeof (items as Partial<Iterable<unknown>>)[Symbol.iterator] === 'function'
  );
}

/** Reads `items` in chunks of `size` (an array is sliced, an iterable read as it yields). */
async function* readChunks(
  items: BulkUpdateItems,
  size: number,
): AsyncGenerator<readonly unknown[]> {
  let chunk: unknown[] = [];
  if (Array.isArray(items)) {
    for (let start = 0; start < items.length; start += size) {
      yield items.slice(start, start + size);
    }
    return;
  }
  if (typeof (items as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator] === 'function') {
    for await (const item of items as AsyncIterable<unknown>) {
      chunk.push(item);
      if (chunk.length >= size) {
        yield chunk;
        chunk = [];
      }
    }
  } else {
    for (const item of items as Iterable<unknown>) {
      chunk.push(item);
      if (chunk.length >= size) {
        yield chunk;
        chunk = [];
      }
    }
  }
  if (chunk.length > 0) yield chunk;
}

/**
 * Validates an import chunk by chunk: numbers the items in the order they are read, sends
 * malformed items and repeats of a row seen earlier in the import (in any chunk) to `failed`,
 * and returns each chunk's valid items sorted by (sku, warehouseId).
 */
class ChunkPlanner {
  /** Every row seen so far, with the position of its item (for the repeat's detail). */
  private readonly seen = new RowKeyTable();
  /** Rows whose hash another row took first (only when `items` is an array). */
  private readonly collided = new Map<string, number>();
  private position = 0;

  /**
   * @param all the whole import when it is an array: a hash match is then confirmed against
   * the earlier item itself, so repeats are found exactly
   */
  constructor(
    private readonly mode: 'set' | 'delta',
    private readonly all: readonly BulkUpdateItem[] | undefined,
  ) {}

  plan(chunk: readonly unknown[], failed: BulkUpdateFailure[]): Planned[] {
    const planned: Planned[] = [];
    for (const raw of chunk) {
      const index = this.position;
      this.position += 1;
      const item = raw as BulkUpdateItem | undefined;
      const problem = itemProblem(item, this.mode);
      if (problem) {
        failed.push({ index, code: ErrorCode.VALIDATION_FAILED, detail: problem });
        continue;
      }
      const valid = item as BulkUpdateItem;
      const first = this.firstOf(valid, index);
      if (first !== undefined) {
        failed.push({
          index,
          code: ErrorCode.VALIDATION_FAILED,
          detail: `same row as items[${first}]; send one item per (sku, warehouseId)`,
        });
        continue;
      }
      planned.push({
        index,
        sku: valid.sku,
        warehouseId: valid.warehouseId,
        quantity: valid.quantity,
        ...(valid.expectedQuantity === undefined
          ? {}
          : { expectedQuantity: valid.expectedQuantity }),
      });
    }
    return planned.sort(compareStockKeys);
  }

  /** The position of an earlier item for the same row, or undefined (and the row is recorded). */
  private firstOf(item: BulkUpdateItem, index: number): number | undefined {
    const first = this.seen.putIfAbsent(item.sku, item.warehouseId, index);
    if (first === undefined) return undefined;
    const earlier = this.all?.[first];
    if (earlier === undefined) return first;
    if (earlier.sku === item.sku && earlier.warehouseId === item.warehouseId) return first;
    // Two different rows with one 64-bit hash: tell them apart by their keys.
    const key = stockKeyOf(item);
    const collided = this.collided.get(key);
    if (collided !== undefined) return collided;
    this.collided.set(key, index);
    return undefined;
  }
}

/**
 * A set of (sku, warehouseId) rows with the position of each row's first item, kept as a 64-bit
 * hash per row in typed arrays (about 24 bytes a row, where a Map of key strings took about 180):
 * a million-row import fits in a few tens of MB. A streamed import trusts the hash — two
 * different rows share one with a probability of about 3 × 10⁻⁸ in a million rows — an array
 * import confirms every match against the earlier item.
 */
class RowKeyTable {
  private capacity = 1 << 12;
  private size = 0;
  private low = new Uint32Array(this.capacity);
  private high = new Uint32Array(this.capacity);
  /** Position + 1 of the row's first item; 0 marks an empty slot. */
  private first = new Float64Array(this.capacity);

  /** Records the row at `position` unless it is there; returns the earlier position if it was. */
  putIfAbsent(sku: string, warehouseId: string, position: number): number | undefined {
    let h1 = 0x811c9dc5;
    let h2 = 0x01000193;
    const mix = (text: string) => {
      for (let index = 0; index < text.length; index += 1) {
        const code = text.charCodeAt(index);
        h1 = Math.imul(h1 ^ code, 0x01000193) >>> 0;
        h2 = Math.imul(h2 ^ code, 0x5bd1e995) >>> 0;
        h2 = (h2 ^ (h2 >>> 15)) >>> 0;
      }
    };
    mix(sku);
    mix('\u0000');
    mix(warehouseId);
    const found = this.find(h1, h2);
    if (this.first[found] !== 0) return this.first[found]! - 1;
    this.low[found] = h1;
    this.high[found] = h2;
    this.first[found] = position + 1;
    this.size += 1;
    if (this.size * 2 > this.capacity) this.grow();
    return undefined;
  }

  /** The slot holding (h1, h2), or the empty slot where it would go (linear probing). */
  private find(h1: number, h2: number): number {
    const mask = this.capacity - 1;
    let slot = h1 & mask;
    while (this.first[slot] !== 0) {
      if (this.low[slot] === h1 && this.high[slot] === h2) return slot;
      slot = (slot + 1) & mask;
    }
    return slot;
  }

  private grow(): void {
    const { low, high, first } = this;
    this.capacity *= 2;
    this.low = new Uint32Array(this.capacity);
    this.high = new Uint32Array(this.capacity);
    this.first = new Float64Array(this.capacity);
    for (let slot = 0; slot < low.length; slot += 1) {
      if (first[slot] === 0) continue;
      const target = this.find(low[slot]!, high[slot]!);
      this.low[target] = low[slot]!;
      this.high[target] = high[slot]!;
      this.first[target] = first[slot]!;
    }
  }
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
  return expectedQuantityProblem(item);
}

/**
 * Applies one chunk: with the store's set-based writes (`transaction.bulk`) when it has them,
 * else row by row. Either way the same rows, movements, events and alerts are written.
 */
async function applyChunk(
  context: ServiceContext,
  transaction: StockTransaction,
  batch: readonly Planned[],
  mode: 'set' | 'delta',
  movementContext: ChangeContext,
): Promise<BatchOutcome & { readonly effects: CommitEffects }> {
  if (!transaction.bulk) return applyBatch(context, transaction, batch, mode, movementContext);
  const buffered = new BufferedInserts(transaction, transaction.bulk);
  const outcome = await applyBatch(context, buffered.transaction, batch, mode, movementContext);
  await buffered.drain();
  return outcome;
}

/**
 * A view of a transaction for one chunk whose new stock rows are collected and inserted with one
 * set-based write before anything reads or references them, and whose row updates, ledger and
 * outbox appends go through the store's set-based writes.
 */
class BufferedInserts {
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
        update: (alert) => inner.alerts.update(alert),
      },
    };
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
    const mismatch = compareMismatch(item, available);
    if (mismatch) {
      fail(ErrorCode.VERSION_CONFLICT, mismatch);
      continue;
    }
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
