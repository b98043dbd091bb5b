/**
 * `@stockroom/core/adapter-kit`: what only a store or cache adapter needs, kept out of the main
 * entry so a host app's imports show what it uses. The ports' inner parts (the transaction's
 * row sets, the per-entity reads, the history and cache plumbing), the cursor helpers every
 * store pages with, and a few helpers the SQL stores share.
 *
 * A host app composes adapters through `@stockroom/core` (`createStockroom`, `StockStore`,
 * `AvailabilityCache`, …) and never needs this entry.
 *
 * @example
 * ```ts
 * import type { StockStore } from '@stockroom/core';
 * import { decodeCursorAs, encodeCursor, type StockTransaction } from '@stockroom/core/adapter-kit';
 * ```
 * @packageDocumentation
 */

export type { ChannelRows } from './channels/channel-rows.js';
export { isRetryableConflict, withRetry } from './concurrency/retry-policy.js';
export { compareStockKeys } from './domain/inventory-stock.js';
export type { KitRows } from './kits/kit-rows.js';
export { AsyncMutex } from './memory/async-mutex.js';
export { availabilityVersion } from './ports/availability-cache.js';
export type {
  AlertReads,
  AlertRows,
  BulkWrites,
  CachedAvailability,
  CachedAvailabilityRow,
  CacheLookup,
  CacheScope,
  FillToken,
  HistoryReads,
  HistoryRows,
  IdempotencyReads,
  IdempotencyRecord,
  IdempotencyRows,
  LedgerCheckpoint,
  LedgerEntry,
  LedgerRange,
  LedgerRows,
  LedgerSinceOptions,
  LedgerSlice,
  MovementReads,
  MovementRef,
  OutboxEntry,
  OutboxReads,
  OutboxRows,
  ReservationReads,
  ReservationRows,
  StockReads,
  StockRows,
  StockTransaction,
  StockWrite,
  StoreCapabilities,
  StoreChangeFeed,
  StoreChanges,
  StoreReads,
  TransactionOptions,
  TransferReads,
  TransferRows,
  WarehouseReads,
  WarehouseRows,
  WriteOutcome,
} from './ports/index.js';
export { NO_STORE_CHANGES } from './ports/index.js';
export {
  type CursorPart,
  type CursorValue,
  decodeCursor,
  decodeCursorAs,
  encodeCursor,
  pageLimit,
} from './ports/paging.js';
export type { ReceiptFilter, ReceiptRows } from './ports/receipt-port.js';
export type { SkuPolicyRows } from './ports/sku-policies.js';
