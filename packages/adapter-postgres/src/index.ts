// The public surface of @stockroom/adapter-postgres. Named exports only.
export {
  createPostgresStockStore,
  openPostgresStockStore,
  PostgresStockStore,
  type PostgresStockStoreOptions,
} from './create-postgres-stock-store.js';
export {
  DEFAULT_SCHEMA,
  MAX_PARTITIONS,
  type MigrateOptions,
  migrateToLatest,
} from './migrations/migrate-to-latest.js';
export type {
  PostgresPool,
  PostgresPoolClient,
  PostgresQueryResultLike,
} from './postgres-pool.js';
export { lsnToBigInt, type ReplicaReads, type ReplicaStats } from './replica-router.js';
