import { createMemoryStockStore } from '../src/index.js';
import { defineStockStoreContract } from '../src/testing/index.js';

defineStockStoreContract({ name: 'memory', createStore: async () => createMemoryStockStore() });
defineStockStoreContract({
  name: 'memory (optimistic)',
  createStore: async () => createMemoryStockStore(),
  locking: 'optimistic',
});
