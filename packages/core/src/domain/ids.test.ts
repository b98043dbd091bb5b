import { describe, expect, it } from 'vitest';
import { createStockroom } from '../create-stockroom.js';
import { ValidationError } from '../errors/validation-error.js';
import { createMemoryStockStore } from '../memory/memory-stock-store.js';
import { ID_RULE, isValidId } from './ids.js';

describe('isValidId', () => {
  it('accepts printable ids, astral characters included', () => {
    for (const id of ['SKU-1', 'a', 'x'.repeat(128), 'Café ☕', 'emoji-😀', 'X\ufffd']) {
      expect(isValidId(id), id).toBe(true);
    }
  });

  it('refuses lone surrogates, control characters, edge spaces and lengths out of 1–128', () => {
    for (const id of [
      'X\ud800',
      '\udc00',
      'a\udfffb',
      '',
      ' a',
      'a ',
      'a\u0000',
      'x'.repeat(129),
    ]) {
      expect(isValidId(id), JSON.stringify(id)).toBe(false);
    }
  });

  it('is the rule of every core entry point: a lone surrogate never reaches the store', async () => {
    const stockroom = createStockroom({ store: createMemoryStockStore() });
    await stockroom.warehouses.create({ id: 'w1', name: 'W1' });
    const attempt = stockroom.adjustments.adjust({
      sku: 'X\ud800',
      warehouseId: 'w1',
      type: 'RESTOCK',
      quantity: 1,
    });
    await expect(attempt).rejects.toBeInstanceOf(ValidationError);
    await expect(attempt).rejects.toMatchObject({ issues: [{ path: 'sku', message: ID_RULE }] });
    await stockroom.close();
  });
});
