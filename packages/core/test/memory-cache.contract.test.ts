import { MemoryAvailabilityCache } from '../src/index.js';
import { defineAvailabilityCacheContract } from '../src/testing/index.js';

// One process, one cache: both handles are the same object.
defineAvailabilityCacheContract('memory', {
  async openPair() {
    const cache = new MemoryAvailabilityCache();
    return { first: cache, second: cache, close: async () => {} };
  },
  runs: 50,
});
