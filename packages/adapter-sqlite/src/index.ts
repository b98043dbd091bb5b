// The public surface of @stockroom/adapter-sqlite. Named exports only.
export {
  createSqliteStockStore,
  openSqliteStockStore,
  type SqliteStockStore,
  type SqliteStockStoreOptions,
  type SqliteStockStoreTarget,
} from './create-sqlite-stock-store.js';
export {
  MIGRATION_LOCK_TABLE,
  MIGRATION_TABLE,
  SQLITE_MIGRATIONS,
} from './migrations/index.js';
export {
  type MigrateOptions,
  type MigrationSummary,
  migrateToLatest,
} from './migrations/migrate-to-latest.js';
export type { SqliteDatabase, SqliteStatement } from './sqlite-dialect.js';
export type {
  AlertTable,
  IdempotencyKeyTable,
  MovementTable,
  OutboxTable,
  ReservationLineTable,
  ReservationTable,
  SqliteTables,
  StockTable,
  TransferTable,
  WarehouseTable,
} from './tables.js';
