import { InvalidStateError } from '../errors/invalid-state-error.js';
import type { JsonValue } from './events.js';
import type { InventoryStock, StockKey } from './inventory-stock.js';

/** Alert states: TRIGGERED → ACKNOWLEDGED → RESOLVED (or TRIGGERED → RESOLVED). */
export const AlertStatus = {
  TRIGGERED: 'TRIGGERED',
  ACKNOWLEDGED: 'ACKNOWLEDGED',
  RESOLVED: 'RESOLVED',
} as const;

/** One of the alert states. */
export type AlertStatus = (typeof AlertStatus)[keyof typeof AlertStatus];

/** A stock row at or below its low-stock threshold. At most one open alert per row. */
export interface LowStockAlert extends StockKey {
  readonly id: string;
  /** `available` when the alert fired. */
  readonly currentQuantity: number;
  readonly threshold: number;
  readonly status: AlertStatus;
  readonly triggeredAt: Date;
  readonly acknowledgedAt: Date | null;
  readonly acknowledgedBy: string | null;
  readonly resolvedAt: Date | null;
}

/** True while TRIGGERED or ACKNOWLEDGED. */
export function isOpenAlert(alert: LowStockAlert): boolean {
  return alert.status !== AlertStatus.RESOLVED;
}

/** True when the row is at or below its low-stock threshold (an open alert is due). */
export function isLowStock(stock: InventoryStock): boolean {
  return stock.available <= stock.lowStockThreshold;
}

/** A new TRIGGERED alert for a row at or below its threshold. */
export function triggerAlert(id: string, stock: InventoryStock, now: Date): LowStockAlert {
  return {
    id,
    sku: stock.sku,
    warehouseId: stock.warehouseId,
    currentQuantity: stock.available,
    threshold: stock.lowStockThreshold,
    status: AlertStatus.TRIGGERED,
    triggeredAt: now,
    acknowledgedAt: null,
    acknowledgedBy: null,
    resolvedAt: null,
  };
}

/**
 * TRIGGERED → ACKNOWLEDGED, stamping who and when; an ACKNOWLEDGED alert is returned unchanged.
 * @throws INVALID_STATE when the alert is RESOLVED
 */
export function acknowledgeAlert(
  alert: LowStockAlert,
  actor: string | null,
  now: Date,
): LowStockAlert {
  if (alert.status === AlertStatus.ACKNOWLEDGED) return alert;
  if (alert.status === AlertStatus.RESOLVED) {
    throw new InvalidStateError(`Alert ${alert.id} is resolved`, alert.status);
  }
  return { ...alert, status: AlertStatus.ACKNOWLEDGED, acknowledgedAt: now, acknowledgedBy: actor };
}

/** An open alert → RESOLVED (its row climbed back over the threshold). */
export function resolveAlert(alert: LowStockAlert, now: Date): LowStockAlert {
  return { ...alert, status: AlertStatus.RESOLVED, resolvedAt: now };
}

/** The data of the `inventory.low.stock` event a triggered alert emits. */
export function lowStockEventData(alert: LowStockAlert): { [key: string]: JsonValue } {
  return {
    alertId: alert.id,
    sku: alert.sku,
    warehouseId: alert.warehouseId,
    available: alert.currentQuantity,
    threshold: alert.threshold,
  };
}
