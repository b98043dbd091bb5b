import { changePreordered, type IncomingReceipt } from '../domain/incoming-receipt.js';
import type { Reservation } from '../domain/reservation.js';
import { VersionConflictError } from '../errors/version-conflict-error.js';
import type { StockTransaction } from '../ports/stock-store.js';

/**
 * The receipts one store transaction (one lane batch) promises units of or frees them on: read
 * once (locked), changed in memory as the batch's reservations are admitted, released or
 * expired, and stored once at the end by compare-and-set. Receipts are written only in the lane
 * of their SKU, so a lost compare-and-set is a concurrent process: the batch retries.
 */
export class ReceiptBook {
  private readonly current = new Map<string, IncomingReceipt>();
  private readonly stored = new Map<string, number>();
  private readonly loadedSkus = new Set<string>();

  constructor(private readonly transaction: StockTransaction) {}

  /** The open receipts of the SKUs as this batch sees them, in the order preorders take them. */
  async open(skus: readonly string[]): Promise<IncomingReceipt[]> {
    const rows = this.transaction.receipts;
    if (!rows) return [];
    const missing = [...new Set(skus)].filter((sku) => !this.loadedSkus.has(sku)).sort();
    if (missing.length > 0) {
      for (const receipt of await rows.open(missing, { lock: true })) this.track(receipt);
      for (const sku of missing) this.loadedSkus.add(sku);
    }
    const wanted = new Set(skus);
    return [...this.current.values()]
      .filter(
        (receipt) =>
          wanted.has(receipt.sku) &&
          (receipt.status === 'EXPECTED' || receipt.status === 'PARTIALLY_RECEIVED'),
      )
      .sort(
        (left, right) =>
          left.expectedAt.getTime() - right.expectedAt.getTime() ||
          left.createdAt.getTime() - right.createdAt.getTime() ||
          (left.id < right.id ? -1 : left.id > right.id ? 1 : 0),
      );
  }

  /** Promises the preordered units of a new reservation's lines on their receipts. */
  promise(reservation: Reservation): void {
    for (const line of reservation.lines) {
      if (line.receiptId === null || line.preordered === 0) continue;
      const receipt = this.current.get(line.receiptId);
      if (!receipt) throw new RangeError(`receipt ${line.receiptId} was not read by the batch`);
      this.current.set(receipt.id, changePreordered(receipt, line.preordered));
    }
  }

  /**
   * Frees the preordered units of a reservation leaving ACTIVE (released or expired): they go
   * back to what new preorders may take.
   */
  async free(reservation: Reservation): Promise<void> {
    const lines = reservation.lines.filter(
      (line) => line.receiptId !== null && line.preordered > 0,
    );
    if (lines.length === 0) return;
    await this.load(lines.map((line) => line.receiptId!));
    for (const line of lines) {
      const receipt = this.current.get(line.receiptId!);
      if (!receipt) continue;
      this.current.set(receipt.id, changePreordered(receipt, -line.preordered));
    }
  }

  /** Stores every changed receipt (one version step each). @throws VERSION_CONFLICT (retryable) */
  async save(): Promise<IncomingReceipt[]> {
    const rows = this.transaction.receipts;
    const changed: IncomingReceipt[] = [];
    if (!rows) return changed;
    for (const [id, version] of this.stored) {
      const receipt = this.current.get(id)!;
      if (receipt.version === version) continue;
      const next = { ...receipt, version: version + 1 };
      if (!(await rows.update(next, version)).applied) {
        throw new VersionConflictError(`Receipt ${id} changed concurrently`, { retryable: true });
      }
      changed.push(next);
    }
    return changed;
  }

  private async load(ids: readonly string[]): Promise<void> {
    const rows = this.transaction.receipts;
    if (!rows) return;
    for (const id of [...new Set(ids)].sort()) {
      if (this.current.has(id)) continue;
      const receipt = await rows.get(id, { lock: true });
      if (receipt) this.track(receipt);
    }
  }

  private track(receipt: IncomingReceipt): void {
    if (this.current.has(receipt.id)) return;
    this.current.set(receipt.id, receipt);
    this.stored.set(receipt.id, receipt.version);
  }
}
