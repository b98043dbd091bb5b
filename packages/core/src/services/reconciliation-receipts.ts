import type { IncomingReceipt } from '../domain/incoming-receipt.js';
import type { ReceiptRows } from '../ports/receipt-port.js';
import type { ServiceContext } from './service-context.js';

// Reconciliation of incoming receipts against the preorders that point at them (see
// `ReconciliationService.reconcile`).

/**
 * An open receipt whose `preorderedQuantity` differs from the `preordered` units of the ACTIVE
 * reservation lines pointing at it (the preorder invariant). Reported, never repaired: which
 * side is wrong (a promise the receipt forgot, or a line that should have been let go) needs a
 * person to decide.
 */
export interface ReceiptDiscrepancy {
  readonly receiptId: string;
  readonly sku: string;
  readonly warehouseId: string;
  /** Always `preordered`: the receipt's `preorderedQuantity` against its preorder lines. */
  readonly kind: 'preordered';
  /** The receipt's `preorderedQuantity`. */
  readonly stored: number;
  /** The sum of the `preordered` units of the ACTIVE lines pointing at the receipt. */
  readonly expected: number;
}

/** Receipts checked per transaction. */
const RECEIPT_PAGE = 500;

/** Reads of one receipt's lines that may meet a concurrent change before the check gives up. */
const RECEIPT_ATTEMPTS = 3;

/** Preordered units of the lines of `reservations` that point at `receiptId`. */
async function promisedUnits(receipts: ReceiptRows, receiptId: string): Promise<number> {
  let units = 0;
  for (const reservation of await receipts.preorders(receiptId)) {
    for (const line of reservation.lines) {
      if (line.receiptId === receiptId) units += line.preordered;
    }
  }
  return units;
}

/**
 * Checks one receipt: its lines are read between two reads of the receipt at the same version
 * (every change to a preorder line writes its receipt in the same transaction), so a concurrent
 * change never produces a false report; a receipt that keeps changing is left to the next run.
 */
async function checkReceipt(
  receipts: ReceiptRows,
  listed: IncomingReceipt,
): Promise<ReceiptDiscrepancy | null> {
  let before: IncomingReceipt | null = listed;
  for (let attempt = 0; attempt < RECEIPT_ATTEMPTS && before; attempt += 1) {
    const expected = await promisedUnits(receipts, before.id);
    const after: IncomingReceipt | null = await receipts.get(before.id);
    if (!after) return null;
    if (after.version !== before.version) {
      before = after;
      continue;
    }
    if (after.preorderedQuantity === expected) return null;
    return {
      receiptId: after.id,
      sku: after.sku,
      warehouseId: after.warehouseId,
      kind: 'preordered',
      stored: after.preorderedQuantity,
      expected,
    };
  }
  return null;
}

/**
 * Checks every open receipt (EXPECTED or PARTIALLY_RECEIVED) against the preorder lines that
 * point at it, a page of receipts per transaction: one list and one grouped sum per page where
 * the store has `preorderedUnits`, then only the receipts that look wrong are read again. Empty
 * where the store keeps no receipts.
 * Closed receipts are not checked: nothing can be preordered from them.
 */
export async function checkReceipts(context: ServiceContext): Promise<ReceiptDiscrepancy[]> {
  const found: ReceiptDiscrepancy[] = [];
  for (const status of ['EXPECTED', 'PARTIALLY_RECEIVED'] as const) {
    let after: string | undefined;
    do {
      const page = await context.transact(async (transaction) => {
        const receipts = transaction.receipts;
        if (!receipts) return null;
        const items = await receipts.list(
          { status },
          after === undefined ? { limit: RECEIPT_PAGE } : { limit: RECEIPT_PAGE, after },
        );
        // One grouped read for the page where the store has it; only receipts that look wrong
        // are checked one by one (between two reads of the receipt).
        const sums =
          items.length === 0
            ? undefined
            : await receipts.preorderedUnits?.(items.map((receipt) => receipt.id));
        const mismatches: ReceiptDiscrepancy[] = [];
        for (const receipt of items) {
          if (sums && (sums.get(receipt.id) ?? 0) === receipt.preorderedQuantity) continue;
          const mismatch = await checkReceipt(receipts, receipt);
          if (mismatch) mismatches.push(mismatch);
        }
        return { items, mismatches };
      });
      if (!page) return [];
      found.push(...page.mismatches);
      after = page.items.length === RECEIPT_PAGE ? page.items.at(-1)!.id : undefined;
    } while (after !== undefined);
  }
  return found.sort((left, right) =>
    left.receiptId < right.receiptId ? -1 : left.receiptId > right.receiptId ? 1 : 0,
  );
}
