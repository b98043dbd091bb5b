import { describe } from 'vitest';
import type { StockStore } from '../ports/stock-store.js';
import { alertContract } from './contract/alert.contract.js';
import { backordersContract } from './contract/backorders.contract.js';
import { bulkCompareContract } from './contract/bulk-compare.contract.js';
import { bulkPipelineContract } from './contract/bulk-pipeline.contract.js';
import { bulkRetryContract } from './contract/bulk-retry.contract.js';
import { bulkStreamContract } from './contract/bulk-stream.contract.js';
import { bulkUpdateContract } from './contract/bulk-update.contract.js';
import { capabilitiesContract } from './contract/capabilities.contract.js';
import { cartCheckContract } from './contract/cart-check.contract.js';
import { cartCheckChannelContract } from './contract/cart-check-channel.contract.js';
import { channelsContract } from './contract/channels.contract.js';
import { concurrencyContract } from './contract/concurrency.contract.js';
import { contentionContract } from './contract/contention.contract.js';
import { damagedUnitsContract } from './contract/damaged-units.contract.js';
import { historyContract } from './contract/history.contract.js';
import { holdChangesContract } from './contract/hold-changes.contract.js';
import { idempotencyContract } from './contract/idempotency.contract.js';
import { incomingStockContract } from './contract/incoming-stock.contract.js';
import { kitsContract } from './contract/kits.contract.js';
import { ledgerContract } from './contract/ledger.contract.js';
import { outboxContract } from './contract/outbox.contract.js';
import { pointInTimeContract } from './contract/point-in-time.contract.js';
import { reconciliationContract } from './contract/reconciliation.contract.js';
import { reservationContract } from './contract/reservation.contract.js';
import { reservationListingContract } from './contract/reservation-listing.contract.js';
import { sellabilityContract } from './contract/sellability.contract.js';
import { storeContract } from './contract/store.contract.js';
import { transferContract } from './contract/transfer.contract.js';

/** What an adapter gives the contract suite. */
export interface StockStoreContractOptions {
  /** Shown in test names, e.g. `postgres (partitioned, pessimistic)`. */
  readonly name: string;
  /** A fresh, empty, migrated store; called once per test. */
  readonly createStore: () => Promise<StockStore>;
  /** Cleans up after a test (drop a schema, delete a file). The suite closes the store first. */
  readonly destroyStore?: (store: StockStore) => Promise<void>;
  /**
   * Forces a locking policy on every SKU (`pessimistic`: row locks, the default of `createStockroom`;
   * `optimistic`: version checks and retries only). Unset: the stockroom's default.
   */
  readonly locking?: 'optimistic' | 'pessimistic';
  /** A reason to skip the whole suite (a service is missing); see `unavailableService`. */
  readonly skip?: string | false;
}

/** A registered sub-suite; each adds `describe` blocks for one concern. */
export type ContractSuite = (options: StockStoreContractOptions) => void;

/** Every sub-suite, in the order they run. Later issues append theirs here. */
export const CONTRACT_SUITES: ContractSuite[] = [
  storeContract,
  reservationContract,
  concurrencyContract,
  contentionContract,
  ledgerContract,
  idempotencyContract,
  outboxContract,
  transferContract,
  alertContract,
  reconciliationContract,
  bulkUpdateContract,
  pointInTimeContract,
  historyContract,
  damagedUnitsContract,
  bulkCompareContract,
  cartCheckContract,
  sellabilityContract,
  channelsContract,
  kitsContract,
  holdChangesContract,
  incomingStockContract,
  capabilitiesContract,
  reservationListingContract,
  cartCheckChannelContract,
  backordersContract,
  bulkStreamContract,
  bulkPipelineContract,
  bulkRetryContract,
];

/**
 * Registers the adapter contract suite: every invariant of DESIGN.md, checked against the
 * adapter's real backend. Call it from an adapter's `test/contract.test.ts`.
 *
 * @example
 * ```ts
 * defineStockStoreContract({
 *   name: 'sqlite',
 *   createStore: async () => createSqliteStockStore({ filename: tempFile() }),
 * });
 * ```
 */
export function defineStockStoreContract(options: StockStoreContractOptions): void {
  describe.skipIf(Boolean(options.skip))(`stock store contract: ${options.name}`, () => {
    for (const suite of CONTRACT_SUITES) suite(options);
  });
}
