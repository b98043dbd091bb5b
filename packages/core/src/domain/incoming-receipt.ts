import { InvalidStateError } from '../errors/invalid-state-error.js';
import type { StockKey } from './inventory-stock.js';

/**
 * Receipt states: EXPECTED → PARTIALLY_RECEIVED → RECEIVED (or EXPECTED → RECEIVED at once);
 * EXPECTED or PARTIALLY_RECEIVED → CANCELLED (the units not received yet will not come).
 */
export const ReceiptStatus = {
  EXPECTED: 'EXPECTED',
  PARTIALLY_RECEIVED: 'PARTIALLY_RECEIVED',
  RECEIVED: 'RECEIVED',
  CANCELLED: 'CANCELLED',
} as const;

/** One of the receipt states. */
export type ReceiptStatus = (typeof ReceiptStatus)[keyof typeof ReceiptStatus];

/**
 * Incoming stock: units of one SKU expected in one warehouse (a purchase order line or an
 * advance shipping notice). The units are not in the stock row until they are received; a SKU
 * whose policy allows preorders may promise them to reservations before (`preorderedQuantity`).
 */
export interface IncomingReceipt extends StockKey {
  readonly id: string;
  /** Units expected in all. */
  readonly quantity: number;
  /** Units received so far (they entered the stock row through RESTOCK movements). */
  readonly receivedQuantity: number;
  /**
   * Units promised to ACTIVE reservations and not received yet: the sum of the `preordered`
   * units of the ACTIVE reservation lines pointing at this receipt. Never more than
   * `quantity − receivedQuantity`.
   */
  readonly preorderedQuantity: number;
  /** When the units are expected. */
  readonly expectedAt: Date;
  /** The external document (a purchase order or shipping notice number), if any. */
  readonly reference: string | null;
  readonly status: ReceiptStatus;
  readonly createdAt: Date;
  /** When units were last received. */
  readonly receivedAt: Date | null;
  readonly cancelledAt: Date | null;
  /** Bumped by every change; used for compare-and-set updates. */
  readonly version: number;
}

/** True while units may still arrive (EXPECTED or PARTIALLY_RECEIVED). */
export function isOpenReceipt(receipt: IncomingReceipt): boolean {
  return (
    receipt.status === ReceiptStatus.EXPECTED || receipt.status === ReceiptStatus.PARTIALLY_RECEIVED
  );
}

/** Units of an open receipt a new preorder may still take (0 for a closed one). */
export function preorderableOf(receipt: IncomingReceipt): number {
  if (!isOpenReceipt(receipt)) return 0;
  return Math.max(0, receipt.quantity - receipt.receivedQuantity - receipt.preorderedQuantity);
}

/**
 * Records `quantity` units received and `allocated` of them handed to preorders.
 * @throws INVALID_STATE when the receipt is not open, or `quantity` is more than the units
 *   still expected (`state` is then the receipt's status)
 */
export function receiveUnits(
  receipt: IncomingReceipt,
  quantity: number,
  allocated: number,
  now: Date,
): IncomingReceipt {
  if (!isOpenReceipt(receipt)) {
    throw new InvalidStateError(
      `Cannot receive units on receipt ${receipt.id}: it is ${receipt.status}`,
      receipt.status,
    );
  }
  const receivedQuantity = receipt.receivedQuantity + quantity;
  if (receivedQuantity > receipt.quantity) {
    throw new InvalidStateError(
      `Receipt ${receipt.id} expects ${receipt.quantity - receipt.receivedQuantity} more units, not ${quantity}`,
      receipt.status,
    );
  }
  return {
    ...receipt,
    receivedQuantity,
    preorderedQuantity: receipt.preorderedQuantity - allocated,
    status:
      receivedQuantity === receipt.quantity
        ? ReceiptStatus.RECEIVED
        : ReceiptStatus.PARTIALLY_RECEIVED,
    receivedAt: now,
    version: receipt.version + 1,
  };
}

/**
 * Open → CANCELLED. Refused while units are promised to reservations: the merchant decides what
 * happens to those orders (release them, or move them to another receipt) before the supplier's
 * cancellation is recorded, so no customer silently loses a promised unit.
 * @throws INVALID_STATE when the receipt is not open (`state`: its status) or still has
 *   preordered units (`state`: `PREORDERED`)
 */
export function cancelReceipt(receipt: IncomingReceipt, now: Date): IncomingReceipt {
  if (!isOpenReceipt(receipt)) {
    throw new InvalidStateError(
      `Cannot cancel receipt ${receipt.id}: it is ${receipt.status}`,
      receipt.status,
    );
  }
  if (receipt.preorderedQuantity > 0) {
    throw new InvalidStateError(
      `Cannot cancel receipt ${receipt.id}: ${receipt.preorderedQuantity} units are preordered; release those reservations first`,
      'PREORDERED',
    );
  }
  return {
    ...receipt,
    status: ReceiptStatus.CANCELLED,
    cancelledAt: now,
    version: receipt.version + 1,
  };
}

/** Promises (`units` > 0) or frees (`units` < 0) preordered units on the receipt. */
export function changePreordered(receipt: IncomingReceipt, units: number): IncomingReceipt {
  return {
    ...receipt,
    preorderedQuantity: receipt.preorderedQuantity + units,
    version: receipt.version + 1,
  };
}
