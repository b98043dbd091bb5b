import { type IncomingReceipt, isOpenReceipt } from '../domain/incoming-receipt.js';
import { type Reservation, ReservationStatus } from '../domain/reservation.js';
import type { ReceiptRows } from '../ports/receipt-port.js';
import { APPLIED, compareKeys, type MemoryState, NOT_APPLIED, setIn } from './memory-state.js';

/** The memory store's incoming receipts: a map written through the transaction's undo log. */
export function memoryReceiptRows(state: MemoryState, undo: Array<() => void>): ReceiptRows {
  const receipts = state.receipts;
  return {
    get: async (id) => receipts.get(id) ?? null,
    open: async (skus) => {
      const wanted = new Set(skus);
      return [...receipts.values()]
        .filter((receipt) => wanted.has(receipt.sku) && isOpenReceipt(receipt))
        .sort((left, right) =>
          compareKeys(
            [left.expectedAt.getTime(), left.createdAt.getTime(), left.id],
            [right.expectedAt.getTime(), right.createdAt.getTime(), right.id],
          ),
        );
    },
    insert: async (receipt) => {
      if (receipts.has(receipt.id)) throw new RangeError(`receipt ${receipt.id} exists`);
      setIn(undo, receipts, receipt.id, receipt);
    },
    update: async (next, expectedVersion) => {
      if (receipts.get(next.id)?.version !== expectedVersion) return NOT_APPLIED;
      setIn(undo, receipts, next.id, next);
      return APPLIED;
    },
    list: async (filter, page) =>
      [...receipts.values()]
        .filter(
          (receipt: IncomingReceipt) =>
            (filter.sku === undefined || receipt.sku === filter.sku) &&
            (filter.warehouseId === undefined || receipt.warehouseId === filter.warehouseId) &&
            (filter.status === undefined || receipt.status === filter.status) &&
            (page.after === undefined || receipt.id < page.after),
        )
        .sort((left, right) => compareKeys([right.id], [left.id]))
        .slice(0, page.limit),
    preorderedUnits: async (receiptIds) => {
      const wanted = new Set(receiptIds);
      const sums = new Map<string, number>();
      for (const reservation of state.reservations.values()) {
        if (reservation.status !== ReservationStatus.ACTIVE) continue;
        for (const line of reservation.lines) {
          if (line.receiptId === null || !wanted.has(line.receiptId)) continue;
          sums.set(line.receiptId, (sums.get(line.receiptId) ?? 0) + line.preordered);
        }
      }
      return sums;
    },
    preorders: async (receiptId) =>
      [...state.reservations.values()]
        .filter(
          (reservation: Reservation) =>
            reservation.status === ReservationStatus.ACTIVE &&
            reservation.lines.some((line) => line.receiptId === receiptId && line.preordered > 0),
        )
        .sort((left, right) =>
          compareKeys([left.createdAt.getTime(), left.id], [right.createdAt.getTime(), right.id]),
        ),
  };
}
