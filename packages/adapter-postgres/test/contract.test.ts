import { defineStockStoreContract } from '@stockroom/core/testing';
import type { PostgresStockStore } from '../src/index.js';
import { dropSchema, freshStore, skipReason } from './support.js';

// The full adapter contract, in both table layouts and both locking modes. Every test gets its
// own schema (unique per file, test and run), dropped after the suite has closed the store.
for (const partitions of [0, 4]) {
  for (const locking of ['optimistic', 'pessimistic'] as const) {
    const layout = partitions > 0 ? `partitioned ×${partitions}` : 'plain';
    defineStockStoreContract({
      name: `postgres (${layout}, ${locking})`,
      locking,
      skip: skipReason,
      createStore: () =>
        freshStore(`contract_p${partitions}_${locking.slice(0, 4)}`, { poolSize: 8, partitions }),
      destroyStore: (store) => dropSchema((store as PostgresStockStore).schema),
    });
  }
}
