import {
  reserve,
  type StockKey,
  type StockQuantities,
  subtractQuantities,
  unreserve,
} from '../domain/inventory-stock.js';
import type { ChangeContext } from '../domain/movement.js';
import { isStockroomError } from '../errors/stockroom-error.js';
import type { ReconcileDiscrepancy, StockBucket } from './reconciliation-service.js';
import type { ServiceContext } from './service-context.js';
import { runStockChange } from './stock-change.js';

// What reconciliation finds on one row, and its repair (see `ReconciliationService`).

/** The quantity buckets, in report order. */
export const BUCKETS: readonly StockBucket[] = [
  'available',
  'reserved',
  'damaged',
  'inTransit',
  'backordered',
];

/** What does not add up on one row. */
export interface Finding {
  readonly key: StockKey;
  /** The row version the finding was made at. */
  version: number | null;
  ledger: { readonly stored: StockQuantities; readonly expected: StockQuantities } | null;
  reserved: { readonly stored: number; readonly expected: number } | null;
  /** The row's `backordered` against the units its waiting lines wait for (never repaired). */
  backordered?: { readonly stored: number; readonly expected: number } | null;
}

/** Repairs one row in its own transaction; returns how many of its discrepancies were fixed. */
export async function repairFinding(
  serviceContext: ServiceContext,
  finding: Finding,
  context: ChangeContext,
): Promise<number> {
  if (finding.version === null || (finding.ledger === null && finding.reserved === null)) return 0;
  const key = { sku: finding.key.sku, warehouseId: finding.key.warehouseId };
  try {
    return await runStockChange(serviceContext, {}, async (changes) => {
      await changes.load([key.sku], { lock: true });
      const row = changes.row(key);
      if (!row || row.version !== finding.version) return 0;
      const actor = context.actor ?? 'system:reconciliation';
      let count = 0;
      if (finding.ledger) {
        const { stored, expected } = finding.ledger;
        changes.recordDifference(key, 'ADJUSTMENT', subtractQuantities(stored, expected), {
          ...context,
          actor,
          reason: context.reason ?? 'reconciliation: stored quantities differ from the ledger',
        });
        count += BUCKETS.filter((bucket) => stored[bucket] !== expected[bucket]).length;
      }
      if (finding.reserved) {
        const shift = finding.reserved.expected - finding.reserved.stored;
        if (row.available >= shift) {
          changes.apply(
            key,
            'ADJUSTMENT',
            // A positive shift holds more units, a negative one gives them back.
            (stock, at) => (shift >= 0 ? reserve(stock, shift, at) : unreserve(stock, -shift, at)),
            {},
            {
              ...context,
              actor,
              reason: context.reason ?? 'reconciliation: reserved differs from active holds',
            },
          );
          count += 1;
        }
      }
      return count;
    });
  } catch (error) {
    if (!isStockroomError(error)) throw error;
    serviceContext.logger.warn(
      { err: error, sku: key.sku, warehouseId: key.warehouseId },
      'reconciliation repair failed; the next run checks the row again',
    );
    return 0;
  }
}

/** True when every bucket is equal. */
export function sameQuantities(left: StockQuantities, right: StockQuantities): boolean {
  return BUCKETS.every((bucket) => left[bucket] === right[bucket]);
}

/** The discrepancies of a finding, one per bucket that differs. */
export function describe(finding: Finding): ReconcileDiscrepancy[] {
  const found: ReconcileDiscrepancy[] = [];
  const { sku, warehouseId } = finding.key;
  if (finding.ledger) {
    const { stored, expected } = finding.ledger;
    for (const bucket of BUCKETS) {
      if (stored[bucket] === expected[bucket]) continue;
      found.push({
        sku,
        warehouseId,
        kind: 'ledger',
        bucket,
        stored: stored[bucket],
        expected: expected[bucket],
      });
    }
  }
  if (finding.reserved) {
    found.push({
      sku,
      warehouseId,
      kind: 'reserved',
      bucket: 'reserved',
      stored: finding.reserved.stored,
      expected: finding.reserved.expected,
    });
  }
  if (finding.backordered) {
    found.push({
      sku,
      warehouseId,
      kind: 'backordered',
      bucket: 'backordered',
      stored: finding.backordered.stored,
      expected: finding.backordered.expected,
    });
  }
  return found;
}
