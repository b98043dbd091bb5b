import type { ReconcileDiscrepancy, ReconcileResult } from '@stockroom/core';

/** The kinds of finding a reconciliation reports. */
export const FINDING_KINDS = ['ledger', 'reserved'] as const;

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
  };
  /** The findings, sorted by (sku, warehouseId), at most {@link MAX_REPORTED_FINDINGS}. */
  readonly findings: readonly ReconcileDiscrepancy[];
  /** True when there were more findings than `findings` lists. */
  readonly truncated: boolean;
}

/** Builds the report of one reconciliation. */
export function reconcileReport(
  result: ReconcileResult,
  finishedAt: Date,
  repair: boolean,
): ReconcileReport {
  const counts = { ledger: 0, reserved: 0 };
  for (const finding of result.discrepancies) counts[finding.kind] += 1;
  return {
    finishedAt: finishedAt.toISOString(),
    checked: result.checked,
    repair,
    repaired: result.repaired,
    discrepancies: { total: result.discrepancies.length, ...counts },
    findings: result.discrepancies.slice(0, MAX_REPORTED_FINDINGS).map((finding) => ({
      sku: finding.sku,
      warehouseId: finding.warehouseId,
      kind: finding.kind,
      bucket: finding.bucket,
      stored: finding.stored,
      expected: finding.expected,
    })),
    truncated: result.discrepancies.length > MAX_REPORTED_FINDINGS,
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
