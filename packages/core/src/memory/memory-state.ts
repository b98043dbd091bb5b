import type { SalesChannel } from '../channels/sales-channel.js';
import type { IncomingReceipt } from '../domain/incoming-receipt.js';
import { type InventoryStock, stockKeyOf } from '../domain/inventory-stock.js';
import type { LowStockAlert } from '../domain/low-stock-alert.js';
import type { Movement } from '../domain/movement.js';
import type { Reservation } from '../domain/reservation.js';
import type { SkuPolicy } from '../domain/sku-policy.js';
import type { Transfer } from '../domain/transfer.js';
import type { Warehouse } from '../domain/warehouse.js';
import type { Kit } from '../kits/kit.js';
import type { LedgerCheckpoint } from '../ports/history.js';
import type { Page, PageRequest } from '../ports/page.js';
import { decodeCursor, encodeCursor, pageLimit } from '../ports/paging.js';
import type { IdempotencyRecord, OutboxEntry, WriteOutcome } from '../ports/stock-store.js';

// The memory store's state and the helpers its transactions and reads share.

export const APPLIED: WriteOutcome = { applied: true };
export const NOT_APPLIED: WriteOutcome = { applied: false };

export type SortKey = readonly (string | number)[];

export function compareKeys(left: SortKey, right: SortKey): number {
  for (let index = 0; index < left.length; index += 1) {
    const a = left[index]!;
    const b = right[index]!;
    if (a !== b) return a < b ? -1 : 1;
  }
  return 0;
}

/** Sorts `items` by `key` (ascending, or descending) and serves one keyset page. */
export function paginate<T>(
  items: Iterable<T>,
  key: (item: T) => SortKey,
  request: PageRequest,
  descending = false,
): Page<T> {
  const direction = descending ? -1 : 1;
  const sorted = [...items].sort((left, right) => direction * compareKeys(key(left), key(right)));
  const limit = pageLimit(request);
  let start = 0;
  if (request.cursor) {
    const first = sorted[0];
    const after = decodeCursor(request.cursor, first ? key(first).length : 0);
    start = sorted.findIndex((item) => direction * compareKeys(key(item), after) > 0);
    if (start < 0) start = sorted.length;
  }
  const items_ = sorted.slice(start, start + limit);
  const last = items_[items_.length - 1];
  const nextCursor = last && start + limit < sorted.length ? encodeCursor(key(last)) : null;
  return { items: items_, nextCursor };
}

/** Everything the memory store holds. */
export interface MemoryState {
  stock: Map<string, InventoryStock>;
  reservations: Map<string, Reservation>;
  movements: Movement[];
  outbox: Map<string, OutboxEntry>;
  outboxPosition: number;
  idempotency: Map<string, IdempotencyRecord>;
  warehouses: Map<string, Warehouse>;
  transfers: Map<string, Transfer>;
  alerts: Map<string, LowStockAlert>;
  /** Checkpoints per row key, ascending by version. */
  checkpoints: Map<string, LedgerCheckpoint[]>;
  horizon: Date | null;
  /** Selling rules per SKU. */
  policies: Map<string, SkuPolicy>;
  /** Sales channels by id. */
  channels: Map<string, SalesChannel>;
  /** Kit definitions by SKU. */
  kits: Map<string, Kit>;
  /** Incoming receipts by id. */
  receipts: Map<string, IncomingReceipt>;
  /** Stock keys per SKU, so reads of a SKU's rows do not scan every row. */
  skuIndex: Map<string, Set<string>>;
}

/** An empty store. */
export function createMemoryState(): MemoryState {
  return {
    stock: new Map(),
    reservations: new Map(),
    movements: [],
    outbox: new Map(),
    outboxPosition: 0,
    idempotency: new Map(),
    warehouses: new Map(),
    transfers: new Map(),
    alerts: new Map(),
    checkpoints: new Map(),
    horizon: null,
    policies: new Map(),
    channels: new Map(),
    kits: new Map(),
    receipts: new Map(),
    skuIndex: new Map(),
  };
}

/** Sets `map[key]`, recording how to undo it. */
export function setIn<K, V>(undo: Array<() => void>, map: Map<K, V>, key: K, value: V): void {
  const had = map.has(key);
  const previous = map.get(key);
  map.set(key, value);
  undo.push(() => {
    if (had) map.set(key, previous as V);
    else map.delete(key);
  });
}

/** Deletes `map[key]`, recording how to undo it. */
export function deleteIn<K, V>(undo: Array<() => void>, map: Map<K, V>, key: K): void {
  if (!map.has(key)) return;
  const previous = map.get(key) as V;
  map.delete(key);
  undo.push(() => map.set(key, previous));
}

/** The stock rows of the given SKUs, sorted by (sku, warehouseId). */
export function stockOf(state: MemoryState, skus: readonly string[]): InventoryStock[] {
  const rows: InventoryStock[] = [];
  for (const sku of new Set(skus)) {
    for (const key of state.skuIndex.get(sku) ?? []) {
      const row = state.stock.get(key);
      if (row) rows.push(row);
    }
  }
  return rows.sort((left, right) =>
    compareKeys([left.sku, left.warehouseId], [right.sku, right.warehouseId]),
  );
}

/** Row keys of the given SKUs' stock rows, sorted by (sku, warehouseId). */
export function stockKeysOf(state: MemoryState, skus: readonly string[]): string[] {
  return stockOf(state, skus).map(stockKeyOf);
}
