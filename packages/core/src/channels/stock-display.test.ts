import { describe, expect, it } from 'vitest';
import type { AvailabilityResult } from '../services/availability-service.js';
import { formatDisplayStrategy, parseDisplayStrategy } from './sales-channel.js';
import { displayQuantity, presentAvailability } from './stock-display.js';

describe('displayQuantity', () => {
  it('exact shows the number', () => {
    expect(displayQuantity(42, { kind: 'exact' })).toEqual({
      strategy: 'exact',
      level: 'IN_STOCK',
      text: '42',
      quantity: 42,
    });
    expect(displayQuantity(0, { kind: 'exact' })).toMatchObject({
      level: 'OUT_OF_STOCK',
      quantity: 0,
    });
  });

  it('capped shows the cap with a plus above it, the number up to it', () => {
    const capped = { kind: 'capped', cap: 10 } as const;
    expect(displayQuantity(42, capped)).toEqual({
      strategy: 'capped',
      level: 'IN_STOCK',
      text: '10+',
      quantity: 10,
    });
    expect(displayQuantity(10, capped)).toMatchObject({ text: '10', quantity: 10 });
    expect(displayQuantity(3, capped)).toMatchObject({ text: '3', quantity: 3 });
    expect(displayQuantity(0, capped)).toMatchObject({ text: '0', level: 'OUT_OF_STOCK' });
  });

  it('levels shows no number', () => {
    const levels = { kind: 'levels', lowStockAt: 5 } as const;
    expect(displayQuantity(6, levels)).toEqual({
      strategy: 'levels',
      level: 'IN_STOCK',
      text: 'IN_STOCK',
      quantity: null,
    });
    expect(displayQuantity(5, levels)).toMatchObject({ level: 'LOW_STOCK', quantity: null });
    expect(displayQuantity(1, levels)).toMatchObject({ level: 'LOW_STOCK' });
    expect(displayQuantity(0, levels)).toMatchObject({ level: 'OUT_OF_STOCK' });
  });
});

describe('presentAvailability', () => {
  const result: AvailabilityResult = {
    sku: 'A',
    requestedQuantity: 2,
    backorderedQuantity: 0,
    isAvailable: true,
    availableQuantity: 15,
    warehouses: [
      { warehouseId: 'london', warehouseName: 'London', availableQuantity: 12, distanceKm: 3.2 },
      { warehouseId: 'paris', warehouseName: 'Paris', availableQuantity: 3 },
    ],
    rowVersions: { london: 4, paris: 2 },
    channelId: 'west',
  };

  it('caps the total and every warehouse, and leaves row versions out', () => {
    const shown = presentAvailability(result, { kind: 'capped', cap: 10 });
    expect(shown).toEqual({
      sku: 'A',
      requestedQuantity: 2,
      isAvailable: true,
      wouldBackorder: false,
      availableQuantity: 10,
      display: { strategy: 'capped', level: 'IN_STOCK', text: '10+', quantity: 10 },
      warehouses: [
        {
          warehouseId: 'london',
          warehouseName: 'London',
          availableQuantity: 10,
          distanceKm: 3.2,
          display: { strategy: 'capped', level: 'IN_STOCK', text: '10+', quantity: 10 },
        },
        {
          warehouseId: 'paris',
          warehouseName: 'Paris',
          availableQuantity: 3,
          display: { strategy: 'capped', level: 'IN_STOCK', text: '3', quantity: 3 },
        },
      ],
      channelId: 'west',
    });
  });

  it('levels hides every number', () => {
    const shown = presentAvailability(result, { kind: 'levels', lowStockAt: 5 });
    expect(shown.availableQuantity).toBeNull();
    expect(shown.display.level).toBe('IN_STOCK');
    expect(shown.warehouses.map((line) => [line.availableQuantity, line.display.level])).toEqual([
      [null, 'IN_STOCK'],
      [null, 'LOW_STOCK'],
    ]);
  });
});

describe('display strategy text', () => {
  it('round-trips and refuses what is not a strategy', () => {
    for (const text of ['exact', 'capped:10', 'levels:5', 'levels:0']) {
      const parsed = parseDisplayStrategy(text);
      expect(parsed && formatDisplayStrategy(parsed)).toBe(text);
    }
    expect(parseDisplayStrategy('levels')).toEqual({ kind: 'levels', lowStockAt: 0 });
    for (const text of ['capped', 'capped:0', 'exact:3', 'levels:x', 'top:3', 'capped:99999999']) {
      expect(parseDisplayStrategy(text)).toBeUndefined();
    }
  });
});
