// @stockroom/sql-kit: what the PostgreSQL and SQLite stores share. Private: tsup bundles it into
// each SQL adapter, so users never install it. Named exports only.

export { channelRows } from './channel-rows.js';
export {
  intOrNull,
  postgresCodec,
  type SqlCodec,
  sqliteCodec,
  timeOrNull,
  toTimeOrNull,
} from './codec.js';
export type { PostgresColumns, SqliteColumns } from './engine-columns.js';
export {
  type KeyPart,
  pageOf,
  positionOf,
  type TimeKeyed,
  type TimeKeysetOptions,
  timeKeysetPage,
} from './keyset-page.js';
export { type EngineKit, kitFor } from './kit-context.js';
export { kitDefinitionRows } from './kit-definition-rows.js';
export {
  createRowMappers,
  type LedgerEntryRow,
  type ReservationLineRow,
  type RowMappers,
} from './mappers.js';
export {
  eventFromStored,
  type ImpliedEventFields,
  isTimeImplied,
  type StoredEvent,
} from './outbox-events.js';
export { type ReceiptRowsDialect, receiptRows } from './receipt-rows.js';
export {
  type ReservationListingOptions,
  reservationConditions,
  reservationLineConditions,
  reservationListPage,
} from './reservation-listing.js';
export { type LedgerSumRow, type SharedHistory, sharedHistory } from './shared-history.js';
export {
  type KitContext,
  plainColumn,
  type SharedReads,
  type SharedReadsDialect,
  sharedReads,
  unaryPlusColumn,
} from './shared-reads.js';
export { type SharedRows, type SharedRowsDialect, sharedRows } from './shared-rows.js';
export { skuPolicyRows } from './sku-policy-rows.js';
export type {
  AlertTable,
  AnyEngineColumns,
  EngineColumns,
  IdempotencyKeyTable,
  IncomingReceiptTable,
  KitComponentTable,
  KitTable,
  KitTables,
  LedgerCheckpointTable,
  LedgerHorizonTable,
  MovementTable,
  OutboxDeliveryTable,
  RawIdList,
  RawInt,
  RawTime,
  ReservationLineTable,
  ReservationTable,
  SalesChannelTable,
  SharedTables,
  SkuPolicyTable,
  StockTable,
  TransferTable,
  WarehouseTable,
} from './tables.js';
export { APPLIED, chunks, distinct, inOrderOf, NOT_APPLIED, outcome } from './write-outcome.js';
