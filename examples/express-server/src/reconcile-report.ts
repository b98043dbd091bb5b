import type { ReceiptDiscrepancy, ReconcileDiscrepancy, ReconcileResult } from '@stockroom/core';

/** The kinds of finding a reconciliation reports on stock rows. */
export const ROW_FINDING_KINDS = ['ledger', 'reserved', 'backordered'] as const;

/** The kinds of finding a reconciliation reports: on stock rows, then on receipts. */
export const FINDING_KINDS = [...ROW_FINDING_KINDS, 'preordered'] as const;

/** How many findings a report lists (the counts cover them all). */
export const MAX_REPORTED_FINDINGS = 1000;

/** What the last reconciliation found: counts per kind and the findings themselves. */
export interface ReconcileReport {
  /** When the run finished (ISO-8601 UTC). */
  readonly finishedAt: string;
  /** Stock rows checked. */
  readonly checked: number;
  /** Whether the run repaired what it found (`STOCKROOM_RECONCILE_REPAIR`). */
  readonly repair: boolean;
  /** How many findings the repair fixed. */
  readonly repaired: number;
  /** Findings per kind; `total` is their sum. */
  readonly discrepancies: {
    readonly total: number;
    readonly ledger: number;
    readonly reserved: number;
    readonly backordered: number;
    /** Open receipts whose `preorderedQuantity` differs from their preorder lines. */
    readonly preordered: number;
  };
  /** The row findings, sorted by (sku, warehouseId), at most {@link MAX_REPORTED_FINDINGS}. */
  readonly findings: readonly ReconcileDiscrepancy[];
  /** The receipt findings, sorted by receipt id, at most {@link MAX_REPORTED_FINDINGS}. */
  readonly receiptFindings: readonly ReceiptDiscrepancy[];
  /** True when there were more findings (of either list) than the lists hold. */
  readonly truncated: boolean;
}

/** Builds the report of one reconciliation. */
export function reconcileReport(
  result: ReconcileResult,
  finishedAt: Date,
  repair: boolean,
): ReconcileReport {
  const counts = { ledger: 0, reserved: 0, backordered: 0 };
  for (const finding of result.discrepancies) counts[finding.kind] += 1;
  const receipts = result.receiptDiscrepancies;
  return {
    finishedAt: finishedAt.toISOString(),
    checked: result.checked,
    repair,
    repaired: result.repaired,
    discrepancies: {
      total: result.discrepancies.length + receipts.length,
      ...counts,
      preordered: receipts.length,
    },
    findings: result.discrepancies.slice(0, MAX_REPORTED_FINDINGS).map((finding) => ({
      sku: finding.sku,
      warehouseId: finding.warehouseId,
      kind: finding.kind,
      bucket: finding.bucket,
      stored: finding.stored,
      expected: finding.expected,
    })),
    receiptFindings: receipts.slice(0, MAX_REPORTED_FINDINGS).map((finding) => ({
      receiptId: finding.receiptId,
      sku: finding.sku,
      warehouseId: finding.warehouseId,
      kind: finding.kind,
      stored: finding.stored,
      expected: finding.expected,
    })),
    truncated:
      result.discrepancies.length > MAX_REPORTED_FINDINGS ||
      receipts.length > MAX_REPORTED_FINDINGS,
  };
}

/**
 * Keeps the report of this process's last reconciliation, for the admin endpoint and the
 * metrics. (With several instances, each keeps the report of the runs it made; the lease makes
 * one of them run each scheduled reconciliation.)
 */
export class ReconcileReports {
  private report: ReconcileReport | undefined;

  /** The last report, or undefined before the first run. */
  get last(): ReconcileReport | undefined {
    return this.report;
  }

  /** Keeps `report` as the last one. */
  record(report: ReconcileReport): void {
    this.report = report;
  }
}
