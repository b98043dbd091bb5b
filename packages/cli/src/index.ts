// The library side of @stockroom/cli: what the `stockroom` command does, callable from code.
export {
  API_KEY_FILE,
  API_KEY_ROLES,
  type ApiKeyFile,
  ApiKeyFileError,
  type ApiKeyRole,
  apiKeyFilePath,
  apiKeyIdOf,
  createApiKey,
  parseApiKeyFile,
  readApiKeyFile,
  revokeApiKey,
  type StoredApiKey,
  sha256Of,
} from './api-key-file.js';
export { DEMO_WAREHOUSES, demoStockRows, seedDemoData } from './demo-data.js';
export { ExitCode } from './exit-codes.js';
export { migrateStore, openStockroom } from './open-store.js';
export { Progress, type ProgressState, type ProgressStream } from './progress.js';
export { stockOf, type WarehouseLevel } from './stock-as-of.js';
export {
  CsvFormatError,
  type ExportOptions,
  exportStockCsv,
  type ImportOptions,
  type ImportResult,
  importStockCsv,
  type RowError,
  STOCK_CSV_COLUMNS,
} from './stock-csv.js';
export {
  describeTarget,
  parseStoreTarget,
  redactUrl,
  type StoreTarget,
  UsageError,
} from './store-target.js';
