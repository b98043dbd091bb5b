import type { ChangeContext } from '../domain/movement.js';
import type { ErrorCode } from '../errors/error-codes.js';
import { isStockroomError } from '../errors/stockroom-error.js';
import { VersionConflictError } from '../errors/version-conflict-error.js';
import { type ChunkCut, settleChunkCut } from './bulk-chunk-cut.js';
import { applyChunk } from './bulk-chunk-writes.js';
import {
  ChunkPlanner,
  isItems,
  type Planned,
  readChunks,
  type SeparatedChunk,
  SkuSeparator,
} from './bulk-chunks.js';
import type { BulkCompare } from './bulk-compare.js';
import {
  DEFAULT_IDEMPOTENCY_SCOPE,
  fingerprint,
  runIdempotent,
  storeIdempotency,
} from './idempotency.js';
import type { ServiceContext } from './service-context.js';
import { runStockChanges } from './stock-change.js';
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

/**
 * Items per chunk: one store transaction each (non-atomic), sorted by (sku, warehouseId); half
 * of it on a single-writer store (see `policies.bulkBatchSize` for the memory this bounds).
 */
export const BULK_BATCH_SIZE = 1000;

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
 * (`StockTransaction.bulk`). Only the chunks in flight (one or two), the failures and the keys
 * seen so far are held in memory. Non-atomic: one transaction per chunk (with an idempotency
 * key, each chunk stores its result under `<key>:batch-<n>`, so a retried request replays the
 * chunks that committed, and the import's chunk size and SKU separation are recorded under
 * `<key>:chunks` before its first chunk is written, so a retry cuts the items as the first
 * attempt did whatever it is configured with: see `settleChunkCut`); with `chunksInFlight` 2,
 * the next chunk is read, planned and written in its own transaction while the one before is
 * still being written, two chunks in flight never sharing a SKU (`SkuSeparator`). Atomic: every
 * chunk in one transaction, rolled back when any item fails.
 */
export async function runBulkUpdate(
  context: ServiceContext,
  request: BulkUpdateRequest,
  changeContext: ChangeContext,
  batchSize = BULK_BATCH_SIZE,
  chunksInFlight = 1,
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
    let attempts = 0;
    try {
      const applied = await runStockChanges(context, {}, async (scope) => {
        attempts += 1;
        if (attempts > 1 && !Array.isArray(request.items)) {
          // A stream cannot be read twice: the caller retries with a fresh one.
          throw new VersionConflictError(
            'The bulk update conflicted with a concurrent write and its items cannot be read again; retry the call',
            { retryable: false },
          );
        }
        const { transaction, now } = scope;
        return runIdempotent(transaction, changeContext, 'bulk-update', printed, now, async () => {
          const failed: BulkUpdateFailure[] = [];
          let count = 0;
          const planner = new ChunkPlanner(
            mode,
            Array.isArray(request.items) ? request.items : undefined,
          );
          for await (const chunk of readChunks(request.items, batchSize)) {
            const planned = planner.plan(chunk, failed);
            if (planned.length === 0) continue;
            const outcome = await applyChunk(context, scope, planned, mode, movementContext);
            failed.push(...outcome.failed);
            count += outcome.applied;
          }
          if (failed.length > 0) throw new AtomicRollback(failed);
          const result: BulkUpdateResult = { applied: count, failed: [] };
          return result;
        });
      });
      return bulkResultOf(applied);
    } catch (error) {
      if (error instanceof AtomicRollback) return { applied: 0, failed: byIndex(error.failed) };
      throw error;
    }
  }

  // Chunk n must hold the same items in every attempt of a keyed import, so a retry cuts them
  // as the first attempt did, whatever this call is configured with (see `settleChunkCut`).
  const configured: ChunkCut = { size: batchSize, separated: chunksInFlight >= 2 };
  const { cut, items: source } = changeContext.idempotencyKey
    ? await settleChunkCut(context, changeContext, mode, request.items, configured)
    : { cut: configured, items: request.items };
  const failed: BulkUpdateFailure[] = [];
  const planner = new ChunkPlanner(mode, Array.isArray(source) ? source : undefined);
  // Two chunks in flight only where the store lets writers of other rows through and the chunks
  // are cut with their SKUs kept apart (see `SkuSeparator`); chunks cut without that (a retry of
  // an import that started with one in flight) are written one at a time.
  // (The rule keeps consecutive chunks apart, so never more than two.)
  const limit = chunksInFlight >= 2 && cut.separated ? 2 : 1;
  const separator = cut.separated ? new SkuSeparator() : undefined;
  let applied = 0;
  let number = 0;
  const writeChunk = async (batch: readonly Planned[], batchNumber: number): Promise<void> => {
    const batchContext: ChangeContext = changeContext.idempotencyKey
      ? {
          ...movementContext,
          idempotencyKey: `${changeContext.idempotencyKey}:batch-${batchNumber}`,
        }
      : movementContext;
    try {
      const outcome = await runStockChanges(
        context,
        // Indexes are part of the batch's identity: a replay reports failures by index.
        {
          keyed: { context: batchContext, command: 'bulk-update-batch', request: { mode, batch } },
        },
        (scope) => applyChunk(context, scope, batch, mode, batchContext),
      );
      applied += outcome.applied;
      failed.push(...outcome.failed);
    } catch (error) {
      if (!isStockroomError(error)) throw error;
      context.logger.warn(
        { err: error, batch: batchNumber, items: batch.length },
        'bulk update batch failed; its items are reported as failed',
      );
      for (const item of batch) {
        failed.push({ index: item.index, code: error.code, detail: error.message });
      }
    }
  };
  // Chunks in flight, oldest first; each settles without rejecting (an error that is not the
  // store's goes to `broken`, so no rejection is left unobserved while another chunk is awaited).
  const inFlight: Promise<void>[] = [];
  let broken: { error: unknown } | undefined;
  const settleOldest = async () => {
    await inFlight.shift();
    if (broken) throw broken.error;
  };
  const start = async ({ items, afterPrevious }: SeparatedChunk) => {
    if (items.length === 0) return;
    while (inFlight.length > 0 && afterPrevious) await settleOldest();
    const batchNumber = number;
    number += 1;
    inFlight.push(
      writeChunk(items, batchNumber).catch((error: unknown) => {
        broken ??= { error };
      }),
    );
    // The next chunk is read only once fewer than `limit` chunks are in flight: chunk k + 1
    // starts after chunk k − 1 committed, and at most two chunks are held.
    while (inFlight.length >= limit) await settleOldest();
  };
  try {
    for await (const chunk of readChunks(source, cut.size)) {
      const batch = planner.plan(chunk, failed);
      await start(separator ? separator.next(batch) : { items: batch, afterPrevious: false });
    }
    if (separator) await start(separator.rest());
    while (inFlight.length > 0) await settleOldest();
  } finally {
    // A source that threw, or a chunk that broke: what is in flight still commits or rolls back
    // before the error reaches the caller.
    await Promise.all(inFlight);
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

function byIndex(failed: readonly BulkUpdateFailure[]): BulkUpdateFailure[] {
  return [...failed].sort((left, right) => left.index - right.index);
}

/** A stored atomic bulk result; records written by earlier versions hold the applied count alone. */
export function bulkResultOf(stored: BulkUpdateResult | number): BulkUpdateResult {
  return typeof stored === 'number' ? { applied: stored, failed: [] } : stored;
}
