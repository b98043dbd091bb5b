import { EventType } from '../domain/events.js';
import { fillBackorder, type StockKey, stockKeyOf } from '../domain/inventory-stock.js';
import {
  type Reservation,
  type ReservationLine,
  ReservationStatus,
} from '../domain/reservation.js';
import { sellableOf } from '../domain/sellability.js';
import type { StockTransaction } from '../ports/stock-store.js';
import { saveReservation } from '../reservations/reservation-steps.js';
import type { StockChangeSet } from '../services/stock-change-set.js';

/** The actor of the movements a restock's fill records. */
const FILL_CONTEXT = { actor: 'system:backorders' } as const;

/**
 * Fills backorders from the rows a change set changed (a restock, a received transfer,
 * restored damaged units, released holds): while a row has sellable units and backordered
 * units wait on it, the oldest waiting reservation lines (by `createdAt`, then id) take them
 * first. Each fill is one `BACKORDER_FILL` movement — backordered → reserved for an ACTIVE
 * reservation (an ordinary hold from then on), backordered → sold for a COMMITTED one — and
 * one `inventory.backorder.filled` event; the reservation is stored by compare-and-set.
 * Rows without backorders cost nothing: the store is only asked when one waits.
 * @param rows the rows as changed (a row given with no backordered units is passed over)
 */
export async function fillBackorders(
  changes: StockChangeSet,
  transaction: StockTransaction,
  rows: Iterable<StockKey & { readonly backordered: number }>,
): Promise<void> {
  const due: StockKey[] = [];
  for (const key of rows) {
    // Most rows hold no backorders: they are passed over without looking the row up (a bulk
    // chunk hands thousands of them).
    if (key.backordered <= 0) continue;
    const row = changes.row(key);
    if (row && row.backordered > 0 && sellableOf(row) > 0) due.push(key);
  }
  if (due.length === 0) return;
  const wanted = new Set(due.map(stockKeyOf));
  for (const reservation of await transaction.reservations.waitingBackorders(due)) {
    const lines: ReservationLine[] = [];
    let changed = false;
    for (const line of reservation.lines) {
      const row = wanted.has(stockKeyOf(line)) ? changes.row(line) : undefined;
      const units = row ? Math.min(line.backordered, sellableOf(row)) : 0;
      if (units <= 0) {
        lines.push(line);
        continue;
      }
      const sold = reservation.status === ReservationStatus.COMMITTED;
      changes.apply(
        line,
        'BACKORDER_FILL',
        (stock, at) => fillBackorder(stock, units, sold, at),
        { reservationId: reservation.id, orderId: reservation.orderId },
        FILL_CONTEXT,
      );
      const filled = { ...line, backordered: line.backordered - units };
      lines.push(filled);
      changed = true;
      changes.emit(EventType.BACKORDER_FILLED, line.sku, {
        reservationId: reservation.id,
        orderId: reservation.orderId,
        status: reservation.status,
        sku: line.sku,
        warehouseId: line.warehouseId,
        quantity: units,
        backordered: filled.backordered,
      });
    }
    if (!changed) continue;
    const next: Reservation = { ...reservation, lines, version: reservation.version + 1 };
    await saveReservation(transaction, next, reservation.version);
  }
}
