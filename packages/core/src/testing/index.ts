// @stockroom/core/testing: the adapter contract suite and test fixtures. Imports vitest.

export { type ContractWorld, useContractWorld } from './contract/harness.js';
export {
  type AvailabilityCacheContractOptions,
  type CachePair,
  defineAvailabilityCacheContract,
} from './define-availability-cache-contract.js';
export {
  CONTRACT_SUITES,
  type ContractSuite,
  defineStockStoreContract,
  type StockStoreContractOptions,
} from './define-stock-store-contract.js';
export {
  backorderedMismatches,
  preorderMismatches,
  type ReplayMismatch,
  readAll,
  replayLedger,
  reservedMismatches,
  seedWarehouses,
  stock,
} from './fixtures.js';
export { unavailableService } from './service-check.js';
