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

/** Reads `items` in chunks of `size` (an array is sliced, an iterable read as it yields). */
export async function* readChunks(
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
