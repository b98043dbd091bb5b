import { type CloudEvent, EventType } from '../domain/events.js';
import type { InventoryStock } from '../domain/inventory-stock.js';
import { AlertStatus, type LowStockAlert } from '../domain/low-stock-alert.js';
import type { StockTransaction } from '../ports/stock-store.js';
import type { ServiceContext } from './service-context.js';

/**
 * Brings one row's alert in line with its level, in the caller's transaction: at or below the
 * threshold with no open alert → one TRIGGERED alert and one `inventory.low.stock` event; above
 * it with open alerts → they are RESOLVED. Returns what it did.
 */
export async function reconcileRowAlert(
  transaction: StockTransaction,
  context: ServiceContext,
  row: InventoryStock,
  now: Date,
): Promise<'triggered' | 'resolved' | 'none'> {
  const open = await transaction.alerts.findOpen([row]);
  if (row.available > row.lowStockThreshold) {
    for (const alert of open) {
      await transaction.alerts.update({ ...alert, status: AlertStatus.RESOLVED, resolvedAt: now });
    }
    return open.length > 0 ? 'resolved' : 'none';
  }
  if (open.length > 0) return 'none';
  const alert: LowStockAlert = {
    id: context.ids.next('alert'),
    sku: row.sku,
    warehouseId: row.warehouseId,
    currentQuantity: row.available,
    threshold: row.lowStockThreshold,
    status: AlertStatus.TRIGGERED,
    triggeredAt: now,
    acknowledgedAt: null,
    acknowledgedBy: null,
    resolvedAt: null,
  };
  if (!(await transaction.alerts.insert(alert)).applied) return 'none';
  const event: CloudEvent = {
    specversion: '1.0',
    id: context.ids.next('event'),
    source: context.source,
    type: EventType.LOW_STOCK,
    subject: row.sku,
    time: now.toISOString(),
    datacontenttype: 'application/json',
    data: {
      alertId: alert.id,
      sku: row.sku,
      warehouseId: row.warehouseId,
      available: row.available,
      threshold: row.lowStockThreshold,
    },
  };
  await transaction.outbox.append([event]);
  return 'triggered';
}
