import { describe, expect, it } from 'vitest';
import { createStockroom } from './create-stockroom.js';
import { ValidationError } from './errors/validation-error.js';
import { createMemoryStockStore } from './memory/memory-stock-store.js';
import type { StockStore } from './ports/stock-store.js';

describe('createStockroom', () => {
  it('refuses a store that is still a Promise, saying to await it', () => {
    const pending = Promise.resolve(createMemoryStockStore()) as unknown as StockStore;
    expect(() => createStockroom({ store: pending })).toThrow(ValidationError);
    expect(() => createStockroom({ store: pending })).toThrow(/await the store factory first/);
  });
});
