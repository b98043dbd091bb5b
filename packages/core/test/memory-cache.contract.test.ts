import { MemoryAvailabilityCache } from '../src/index.js';
import { defineAvailabilityCacheContract } from '../src/testing/index.js';

// One process, one cache: both handles are the same object. Two stockrooms (two "processes" on
// two handles of one memory store) each get their own cache, kept coherent by the memory store's
// change feed.
defineAvailabilityCacheContract('memory', {
  async openPair() {
    const cache = new MemoryAvailabilityCache();
    return {
      first: cache,
      second: cache,
      perProcess: [new MemoryAvailabilityCache(), new MemoryAvailabilityCache()],
      close: async () => {},
    };
  },
  runs: 50,
});
