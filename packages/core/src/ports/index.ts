export type {
  AvailabilityCache,
  CachedAvailability,
  CachedAvailabilityRow,
  CacheLookup,
  CacheScope,
  FillToken,
  SoldOutGuard,
} from './availability-cache.js';
export { type Clock, systemClock } from './clock.js';
export type { EventPublisher } from './event-publisher.js';
export type {
  HistoryReads,
  HistoryRows,
  LedgerCheckpoint,
  LedgerEntry,
  LedgerRange,
  LedgerSinceOptions,
  LedgerSlice,
  MovementRef,
} from './history.js';
export type { IdGenerator } from './id-generator.js';
export type { JobLease, Lease } from './job-lease.js';
export { type Logger, silentLogger } from './logger.js';
export type { Page, PageRequest } from './page.js';
export type {
  AlertReads,
  AlertRows,
  BulkWrites,
  IdempotencyReads,
  IdempotencyRecord,
  IdempotencyRows,
  LedgerRows,
  MovementFilter,
  MovementReads,
  OutboxEntry,
  OutboxReads,
  OutboxRows,
  ReservationFilter,
  ReservationReads,
  ReservationRows,
  StockReads,
  StockRows,
  StockStore,
  StockTransaction,
  StockWrite,
  StoreCapabilities,
  StoreReads,
  TransactionOptions,
  TransferFilter,
  TransferReads,
  TransferRows,
  WarehouseReads,
  WarehouseRows,
  WriteOutcome,
} from './stock-store.js';
export {
  NO_STORE_CHANGES,
  type StoreChangeFeed,
  type StoreChanges,
} from './store-changes.js';
