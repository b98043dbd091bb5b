import { nextTurn } from '../concurrency/next-turn.js';
import { ID_RULE, isValidId, MAX_QUANTITY } from '../domain/ids.js';
import { compareStockKeys, type StockKey, stockKeyOf } from '../domain/inventory-stock.js';
import { ErrorCode } from '../errors/error-codes.js';
import { type BulkCompare, expectedQuantityProblem } from './bulk-compare.js';
import type { BulkUpdateFailure, BulkUpdateItem, BulkUpdateItems } from './bulk-update.js';
import { RowKeyTable } from './row-key-table.js';

// Reading and validating a bulk import, chunk by chunk (see `runBulkUpdate`).

/** A valid item of a chunk, numbered in the order the import was read. */
export interface Planned extends StockKey, BulkCompare {
  readonly index: number;
  readonly quantity: number;
}

/** True when `items` is an array or an (async) iterable. */
export function isItems(items: unknown): items is BulkUpdateItems {
  if (Array.isArray(items)) return true;
  if (typeof items !== 'object' || items === null || typeof items === 'string') return false;
  return (
    typeof (items as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator] === 'function' ||
    typeof (items as Partial<Iterable<unknown>>)[Symbol.iterator] === 'function'
  );
}

/**
 * Reads `items` in chunks of `size` (an array is sliced, an iterable read as it yields), with a
 * turn of the event loop before every chunk after the first: with a synchronous driver
 * (SQLite) an import would otherwise hold the process for its whole length — no timer, socket
 * or request of the process would run, and writers queued behind it (reservations) would wait
 * for the last chunk instead of the next.
 */
export async function* readChunks(
  items: BulkUpdateItems,
  size: number,
): AsyncGenerator<readonly unknown[]> {
  let first = true;
  for await (const chunk of itemChunks(items, size)) {
    if (!first) await nextTurn();
    first = false;
    yield chunk;
  }
}

/** `items` in chunks of `size`, as they are read. */
async function* itemChunks(
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
export class ChunkPlanner {
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
      planned.push(
        valid.expectedQuantity === undefined
          ? { index, sku: valid.sku, warehouseId: valid.warehouseId, quantity: valid.quantity }
          : {
              index,
              sku: valid.sku,
              warehouseId: valid.warehouseId,
              quantity: valid.quantity,
              expectedQuantity: valid.expectedQuantity,
            },
      );
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

/** A chunk to write, and whether it must wait until every earlier chunk has committed. */
export interface SeparatedChunk {
  readonly items: Planned[];
  /** True when it shares a SKU with the chunk before it (it then runs alone). */
  readonly afterPrevious: boolean;
}

/**
 * Builds the chunks of a pipelined import (two chunk transactions in flight) so that two
 * consecutive chunks never share a SKU: a chunk reads every row of its SKUs locked and emits
 * SKU-level events (back in stock…) once, which two concurrent transactions would both do.
 * An item whose SKU is in the chunk just before is deferred to the next chunk; the chunk that
 * takes it starts only once that earlier chunk has committed. What a chunk holds depends on the
 * items, the order they are read in and the read chunk size only — never on when a chunk
 * commits (the wait changes when a chunk starts, not what it holds) — so a retried request cut
 * the same way (`ChunkCut`) builds the very same chunks and batch keys.
 *
 * A deferred item is never deferred twice (its SKU cannot be in two consecutive chunks), so a
 * chunk holds at most its own read chunk plus the items deferred from the one before. When every
 * item of a chunk would be deferred (a SKU with more rows than a chunk), the chunk is written
 * as it is, after the one before.
 */
export class SkuSeparator {
  private carried: Planned[] = [];
  private previous: ReadonlySet<string> = new Set();

  /** The next chunk from the valid items of the next read chunk (sorted by stock key). */
  next(planned: readonly Planned[]): SeparatedChunk {
    const pool =
      this.carried.length === 0 ? planned : [...this.carried, ...planned].sort(compareStockKeys);
    let items: Planned[] = [];
    let deferred: Planned[] = [];
    for (const item of pool) (this.previous.has(item.sku) ? deferred : items).push(item);
    let afterPrevious = false;
    if (items.length === 0 && deferred.length > 0) {
      items = deferred;
      deferred = [];
      afterPrevious = true;
    }
    this.carried = deferred;
    if (items.length > 0) this.previous = new Set(items.map((item) => item.sku));
    return { items, afterPrevious };
  }

  /** The items still deferred once the source is read to its end, as a last chunk. */
  rest(): SeparatedChunk {
    return this.next([]);
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
