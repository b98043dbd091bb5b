import { describe, expect, it } from 'vitest';
import {
  adjustAvailable,
  createStock,
  emptyStockRow,
  expectInbound,
  type InventoryStock,
  markDamaged,
  receiveInbound,
  recordDifference,
  reserve,
  restock,
  sell,
  shipOut,
  unreserve,
} from './inventory-stock.js';
import {
  AlertStatus,
  acknowledgeAlert,
  isLowStock,
  lowStockEventData,
  resolveAlert,
  triggerAlert,
} from './low-stock-alert.js';

const t0 = new Date('2026-01-01T00:00:00Z');
const t1 = new Date('2026-01-01T00:01:00Z');

function row(available: number, extra: Partial<InventoryStock> = {}): InventoryStock {
  const empty = createStock({ sku: 'SKU-1', warehouseId: 'paris' }, t0, { lowStockThreshold: 5 });
  return { ...empty, available, total: available, ...extra };
}

describe('stock transitions', () => {
  it('each moves units between buckets, bumps the version and keeps total in step', () => {
    const start = row(10);
    const reserved = reserve(start, 4, t1);
    expect(reserved).toMatchObject({ available: 6, reserved: 4, total: 10, version: 1 });
    expect(reserved.updatedAt).toBe(t1);
    expect(unreserve(reserved, 1, t1)).toMatchObject({ available: 7, reserved: 3, total: 10 });
    const sold = sell(reserved, 4, t1);
    expect(sold).toMatchObject({ available: 6, reserved: 0, total: 6, version: 2 });
    expect(sold.lastSoldAt).toBe(t1);
    const restocked = restock(start, 5, t1);
    expect(restocked).toMatchObject({ available: 15, total: 15 });
    expect(restocked.lastRestockedAt).toBe(t1);
    expect(adjustAvailable(start, -3, t1)).toMatchObject({ available: 7, total: 7 });
    expect(markDamaged(start, 2, t1)).toMatchObject({ available: 8, damaged: 2, total: 10 });
    expect(shipOut(start, 3, t1)).toMatchObject({ available: 7, total: 7 });
    const inbound = expectInbound(start, 3, t1);
    expect(inbound).toMatchObject({ available: 10, inTransit: 3, total: 13 });
    expect(receiveInbound(inbound, 3, t1)).toMatchObject({
      available: 13,
      inTransit: 0,
      total: 13,
      version: 2,
    });
  });

  it('refuses to take more than available with INSUFFICIENT_STOCK, and never goes negative', () => {
    const start = row(2);
    expect(() => reserve(start, 3, t1)).toThrow(
      expect.objectContaining({ code: 'INSUFFICIENT_STOCK' }),
    );
    expect(() => shipOut(start, 3, t1)).toThrow(
      expect.objectContaining({ code: 'INSUFFICIENT_STOCK' }),
    );
    expect(() => markDamaged(start, 3, t1)).toThrow(
      expect.objectContaining({ code: 'INSUFFICIENT_STOCK' }),
    );
    expect(() => sell(start, 1, t1)).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
    expect(() => receiveInbound(start, 1, t1)).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
  });

  it('recordDifference bumps the version and leaves the quantities alone', () => {
    const start = row(4, { reserved: 1, total: 5 });
    const next = recordDifference(start, t1);
    expect(next).toMatchObject({ available: 4, reserved: 1, total: 5, version: 1 });
  });
});

describe('low-stock alert transitions', () => {
  it('triggers at or below the threshold, acknowledges, resolves, and describes its event', () => {
    expect(isLowStock(row(5))).toBe(true);
    expect(isLowStock(row(6))).toBe(false);
    const alert = triggerAlert('alert-1', row(3), t0);
    expect(alert).toMatchObject({
      id: 'alert-1',
      sku: 'SKU-1',
      warehouseId: 'paris',
      currentQuantity: 3,
      threshold: 5,
      status: AlertStatus.TRIGGERED,
      triggeredAt: t0,
      resolvedAt: null,
    });
    expect(lowStockEventData(alert)).toEqual({
      alertId: 'alert-1',
      sku: 'SKU-1',
      warehouseId: 'paris',
      available: 3,
      threshold: 5,
    });
    const acknowledged = acknowledgeAlert(alert, 'a user', t1);
    expect(acknowledged).toMatchObject({
      status: AlertStatus.ACKNOWLEDGED,
      acknowledgedAt: t1,
      acknowledgedBy: 'a user',
    });
    expect(acknowledgeAlert(acknowledged, 'someone else', t1)).toBe(acknowledged);
    const resolved = resolveAlert(acknowledged, t1);
    expect(resolved).toMatchObject({ status: AlertStatus.RESOLVED, resolvedAt: t1 });
    expect(() => acknowledgeAlert(resolved, 'a user', t1)).toThrow(
      expect.objectContaining({ code: 'INVALID_STATE' }),
    );
  });
});

describe('emptyStockRow', () => {
  it('is createStock with complete settings: the same fields, values and order', () => {
    const now = new Date('2026-12-06T21:00:00.000Z');
    const key = { sku: 'A', warehouseId: 'oslo' };
    for (const settings of [
      { lowStockThreshold: 10, reorderPoint: 20, maxStockLevel: null, safetyStock: 0 },
      { safetyStock: 3, maxStockLevel: 500, reorderPoint: 7, lowStockThreshold: 2 },
    ]) {
      const row = emptyStockRow(key, now, settings);
      const expected = createStock(key, now, settings);
      expect(row).toStrictEqual(expected);
      expect(Object.keys(row)).toEqual(Object.keys(expected));
    }
  });
});
