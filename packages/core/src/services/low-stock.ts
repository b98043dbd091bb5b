import { type CloudEvent, EventType, type JsonValue } from '../domain/events.js';
import type { InventoryStock } from '../domain/inventory-stock.js';
import {
  isLowStock,
  type LowStockAlert,
  lowStockEventData,
  resolveAlert,
  triggerAlert,
} from '../domain/low-stock-alert.js';
import type { StockTransaction } from '../ports/stock-store.js';
import type { ServiceContext } from './service-context.js';

let lastMillis = Number.NaN;
let lastIso = '';

/** `now` as ISO text; the events of one change share their instant, so its text is made once. */
function isoTimeOf(now: Date): string {
  const millis = now.getTime();
  if (millis !== lastMillis) {
    lastIso = now.toISOString();
    lastMillis = millis;
  }
  return lastIso;
}

/** A CloudEvent from this stockroom (`source`, a fresh id, JSON data). */
export function createEvent(
  context: Pick<ServiceContext, 'ids' | 'source'>,
  type: CloudEvent['type'],
  subject: string,
  data: { readonly [key: string]: JsonValue },
  now: Date,
): CloudEvent {
  return {
    specversion: '1.0',
    id: context.ids.next('event'),
    source: context.source,
    type,
    subject,
    time: isoTimeOf(now),
    datacontenttype: 'application/json',
    data,
  };
}

/**
 * Raises one TRIGGERED alert per row that crossed its threshold downwards (`before` null: a row
 * created by this change) and resolves the open alerts of rows that climbed back over it, in the
 * caller's transaction. Returns the `inventory.low.stock` events of the alerts raised (an alert
 * that lost the race to another writer's open alert raises none).
 */
export async function evaluateAlerts(
  transaction: StockTransaction,
  context: ServiceContext,
  changed: readonly { readonly before: InventoryStock | null; readonly after: InventoryStock }[],
  now: Date,
): Promise<CloudEvent[]> {
  const down: InventoryStock[] = [];
  const up: InventoryStock[] = [];
  for (const { before, after } of changed) {
    const wasLow = before !== null && isLowStock(before);
    const isLow = isLowStock(after);
    if (isLow && !wasLow) down.push(after);
    if (!isLow && wasLow) up.push(after);
  }
  if (up.length > 0) {
    for (const alert of await transaction.alerts.findOpen(up)) {
      await transaction.alerts.update(resolveAlert(alert, now));
    }
  }
  const events: CloudEvent[] = [];
  if (down.length === 0) return events;
  const raised = down.map((row) => triggerAlert(context.ids.next('alert'), row, now));
  const inserted = await insertAlerts(transaction.alerts, raised);
  for (let index = 0; index < raised.length; index += 1) {
    if (!inserted[index]) continue;
    const alert = raised[index]!;
    events.push(
      createEvent(context, EventType.LOW_STOCK, alert.sku, lowStockEventData(alert), now),
    );
  }
  return events;
}

/** Inserts alerts of distinct rows: in one call where the store takes many, else one by one. */
async function insertAlerts(
  rows: StockTransaction['alerts'],
  alerts: readonly LowStockAlert[],
): Promise<readonly boolean[]> {
  if (alerts.length > 1 && rows.insertMany) return rows.insertMany(alerts);
  const inserted: boolean[] = [];
  for (const alert of alerts) inserted.push((await rows.insert(alert)).applied);
  return inserted;
}

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
  if (!isLowStock(row)) {
    for (const alert of open) await transaction.alerts.update(resolveAlert(alert, now));
    return open.length > 0 ? 'resolved' : 'none';
  }
  if (open.length > 0) return 'none';
  const alert = triggerAlert(context.ids.next('alert'), row, now);
  if (!(await transaction.alerts.insert(alert)).applied) return 'none';
  await transaction.outbox.append([
    createEvent(context, EventType.LOW_STOCK, row.sku, lowStockEventData(alert), now),
  ]);
  return 'triggered';
}
