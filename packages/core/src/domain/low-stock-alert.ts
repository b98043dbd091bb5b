import type { StockKey } from './inventory-stock.js';

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
