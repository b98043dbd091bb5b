// The public surface of @stockroom/core: what a host app uses. Named exports only. What only
// store and cache adapters need is exported from `@stockroom/core/adapter-kit` (adapter-kit.ts).
export { allocate } from './allocation/allocate.js';
export {
  ALLOCATION_STRATEGIES,
  type AllocatableStock,
  type AllocatableWarehouse,
  type Allocation,
  type AllocationLine,
  type AllocationOptions,
  type AllocationPlan,
  type AllocationResult,
  type AllocationShortfall,
  type AllocationStrategy,
  type GeoPoint,
} from './allocation/allocation-plan.js';
export { distanceKm } from './allocation/haversine.js';
export {
  type CartCheckRequest,
  type CartCheckResult,
  CartCheckService,
  type CartCheckSettings,
  type CartItem,
  type CartLineCheck,
} from './cart/cart-check-service.js';
export {
  type ChannelDirectory,
  type ChannelFields,
  ChannelService,
  type CreateChannelRequest,
  DISPLAY_KINDS,
  type DisplayedAvailability,
  type DisplayedWarehouse,
  type DisplayStrategy,
  displayQuantity,
  EXACT_DISPLAY,
  formatDisplayStrategy,
  MAX_CHANNEL_WAREHOUSES,
  MAX_DISPLAY_THRESHOLD,
  normalizeWarehouseIds,
  parseDisplayStrategy,
  presentAvailability,
  type SalesChannel,
  type StockDisplay,
  StockLevel,
} from './channels/index.js';
export {
  type LockingMode,
  type LockingPolicy,
  optimisticEverywhere,
  pessimisticEverywhere,
} from './concurrency/locking-policy.js';
export {
  DEFAULT_RETRY_POLICY,
  type RetryPolicy,
  type RetryStats,
} from './concurrency/retry-policy.js';
export {
  createStockroom,
  type Stockroom,
  type StockroomOptions,
  type StockroomPolicies,
} from './create-stockroom.js';
export { type CloudEvent, EventType, type JsonValue } from './domain/events.js';
export { addToLines, type HoldItem, splitHoldChange } from './domain/hold-change.js';
export {
  endHold,
  type HoldPart,
  type HoldTransition,
  type LineMove,
  settleParts,
} from './domain/hold-parts.js';
export {
  ID_RULE,
  type IdKind,
  IdPrefix,
  isValidId,
  MAX_ID_LENGTH,
  MAX_QUANTITY,
} from './domain/ids.js';
export {
  cancelReceipt,
  type IncomingReceipt,
  isOpenReceipt,
  preorderableOf,
  ReceiptStatus,
  receiveUnits,
} from './domain/incoming-receipt.js';
export {
  addQuantities,
  applyDeltas,
  createStock,
  DEFAULT_STOCK_SETTINGS,
  deltas,
  fillBackorder,
  type InventoryStock,
  isZeroQuantities,
  quantitiesOf,
  reserve,
  reserveWithBackorder,
  restock,
  type StockDeltas,
  type StockKey,
  type StockQuantities,
  type StockSettings,
  sell,
  stockKeyOf,
  subtractQuantities,
  totalOf,
  unreserve,
  ZERO_QUANTITIES,
} from './domain/inventory-stock.js';
export { AlertStatus, isOpenAlert, type LowStockAlert } from './domain/low-stock-alert.js';
export { type ChangeContext, type Movement, MovementType } from './domain/movement.js';
export {
  commitReservation,
  extendReservation,
  heldOf,
  isFinalReservationStatus,
  isPastExpiry,
  type Reservation,
  type ReservationLine,
  ReservationStatus,
  releaseReservation,
  soldOf,
} from './domain/reservation.js';
// Sellability: safety stock and per-SKU cart limits.
export { sellableOf, sellableView } from './domain/sellability.js';
export {
  BackorderPolicy,
  type BackorderRule,
  type CartLimits,
  cartLimitBroken,
  NO_BACKORDERS,
  NO_CART_LIMITS,
  type SkuPolicy,
} from './domain/sku-policy.js';
export { type Transfer, TransferStatus, transitionTransfer } from './domain/transfer.js';
export { defaultIdGenerator, uuid7 } from './domain/uuid7.js';
export { isAllocatable, type Warehouse, WarehouseStatus } from './domain/warehouse.js';
export { CartLimitExceededError } from './errors/cart-limit-exceeded-error.js';
export {
  AlreadyExistsError,
  BulkChunkSizeUnknownError,
  CapacityExceededError,
  ErrorCode,
  HistoryArchivedError,
  IdempotencyConflictError,
  InsufficientStockError,
  InvalidStateError,
  isStockroomError,
  KitNotStockableError,
  NotFoundError,
  type Shortfall,
  StockroomError,
  type StockroomErrorOptions,
  StoreUnavailableError,
  ValidationError,
  type ValidationIssue,
  VersionConflictError,
} from './errors/index.js';
export type { ExpandedLine, PlannedLine } from './kits/expand-kits.js';
export {
  type ComponentSupply,
  KIT_SHIPPING,
  type Kit,
  type KitComponent,
  type KitShipping,
  kitUnitsAvailable,
  kitUnitsByWarehouse,
  MAX_KIT_COMPONENTS,
} from './kits/kit.js';
export type { KitAvailability, KitAvailabilityResult } from './kits/kit-check.js';
export type { KitDirectory } from './kits/kit-directory.js';
export { type DefineKitRequest, KitService } from './kits/kit-service.js';
export { ManualClock } from './memory/manual-clock.js';
export { MemoryAvailabilityCache, MemorySoldOutGuard } from './memory/memory-availability-cache.js';
export { MemoryEventPublisher } from './memory/memory-event-publisher.js';
export { MemoryJobLease } from './memory/memory-job-lease.js';
export {
  createMemoryStockStore,
  MemoryStockStore,
  type MemoryStockStoreOptions,
} from './memory/memory-stock-store.js';
export { OutboxRelay, type OutboxRelayOptions, type RelayResult } from './outbox/outbox-relay.js';
export type {
  AvailabilityCache,
  Clock,
  EventPublisher,
  IdGenerator,
  JobLease,
  Lease,
  Logger,
  MovementFilter,
  Page,
  PageRequest,
  ReservationFilter,
  SoldOutGuard,
  StockStore,
  TransferFilter,
} from './ports/index.js';
export { silentLogger, systemClock } from './ports/index.js';
export { DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT } from './ports/paging.js';
export type { ReceiptFilter } from './ports/receipt-port.js';
// Incoming stock and preorders.
export {
  type CreateReceiptRequest,
  IncomingService,
  type ReceiveRequest,
} from './preorders/incoming-service.js';
export type { PreorderableUnits, PreorderOffer } from './preorders/preorder-offer.js';
export type { ChangeHoldRequest, HoldPartsRequest } from './reservations/hold-changes.js';
export {
  isInsufficientStock,
  ReservationService,
} from './reservations/reservation-service.js';
export {
  DEFAULT_RESERVATION_SETTINGS,
  type ReservationSettings,
  type ReserveItem,
  type ReserveRequest,
} from './reservations/reservation-settings.js';
export { isCartLimitExceeded } from './sellability/cart-limits.js';
export {
  DEFAULT_SELLABILITY_SETTINGS,
  type SellabilitySettings,
} from './sellability/sellability-settings.js';
export {
  type EffectiveSkuPolicy,
  type SkuPolicyRequest,
  SkuPolicyService,
} from './sellability/sku-policy-service.js';
export {
  ADJUSTMENT_TYPES,
  AdjustmentService,
  type AdjustmentSettings,
  type AdjustmentType,
  type AdjustRequest,
  type AdjustResult,
  type SettingsRequest,
} from './services/adjustment-service.js';
export {
  AlertService,
  type LowStockEvaluation,
} from './services/alert-service.js';
export {
  type AvailabilityResult,
  AvailabilityService,
  type CheckRequest,
  type SkuStock,
  summarize,
  type WarehouseAvailability,
} from './services/availability-service.js';
export {
  BULK_BATCH_SIZE,
  type BulkUpdateFailure,
  type BulkUpdateItem,
  type BulkUpdateItems,
  type BulkUpdateRequest,
  type BulkUpdateResult,
} from './services/bulk-update.js';
export type { ForecastMethod } from './services/demand-forecast.js';
export {
  type ArchiveHorizon,
  type ArchiveOptions,
  type ArchiveResult,
  type ArchiveSink,
  HistoryService,
  type MovementJson,
  movementFromJson,
  movementsToNdjson,
  movementToJson,
  toNdjsonLines,
} from './services/history-service.js';
export {
  type CancelResult,
  type OrderPlacedResult,
  OrderSaga,
  type RefundItem,
} from './services/order-saga.js';
export type { ReceiptDiscrepancy } from './services/reconciliation-receipts.js';
export {
  type CheckpointMismatch,
  type ReconcileDiscrepancy,
  type ReconcileOptions,
  type ReconcileResult,
  ReconciliationService,
  type StockBucket,
} from './services/reconciliation-service.js';
export {
  type ReplenishmentOptions,
  ReplenishmentService,
  type ReplenishmentSuggestion,
} from './services/replenishment-service.js';
export type { CommitEffects, StockroomStats } from './services/service-context.js';
export { type CreateTransferRequest, TransferService } from './services/transfer-service.js';
export {
  type CapacityLine,
  type CreateWarehouseRequest,
  type WarehouseFields,
  WarehouseService,
  type WarehouseWithOccupancy,
} from './services/warehouse-service.js';
