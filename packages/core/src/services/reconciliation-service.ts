import {
  addQuantities,
  deltas,
  type InventoryStock,
  quantitiesOf,
  type StockKey,
  type StockQuantities,
  stockKeyOf,
  subtractQuantities,
  ZERO_QUANTITIES,
} from '../domain/inventory-stock.js';
import type { ChangeContext, Movement } from '../domain/movement.js';
import { isStockroomError } from '../errors/stockroom-error.js';
import type { Page } from '../ports/page.js';
import { MAX_PAGE_LIMIT } from '../ports/paging.js';
import type { CommitEffects, ServiceContext } from './service-context.js';
import { StockChangeSet } from './stock-change-set.js';
import { validate } from './validate.js';

/** The quantity buckets of a stock row. */
export type StockBucket = keyof StockQuantities;

const BUCKETS: readonly StockBucket[] = ['available', 'reserved', 'damaged', 'inTransit'];

/** One number that does not add up. */
export interface ReconcileDiscrepancy {
  readonly sku: string;
  readonly warehouseId: string;
  /**
   * `ledger`: the row's `bucket` differs from the replay of its movements;
   * `reserved`: the row's `reserved` differs from the sum of its ACTIVE reservation lines.
   */
  readonly kind: 'ledger' | 'reserved';
  readonly bucket: StockBucket;
  /** What the stock row holds. */
  readonly stored: number;
  /** What the ledger replay (or the sum of holds) says it should hold. */
  readonly expected: number;
}

/** Options of one reconciliation. */
export interface ReconcileOptions {
  /**
   * Writes an ADJUSTMENT movement per discrepant row so the ledger explains every number again.
   * @default false
   */
  readonly repair?: boolean;
}

/** What one reconciliation found (and repaired). */
export interface ReconcileResult {
  /** Stock rows checked. */
  readonly checked: number;
  /** Every discrepancy found, sorted by (sku, warehouseId), ledger ones first per row. */
  readonly discrepancies: readonly ReconcileDiscrepancy[];
  /** How many of them the repair fixed (0 without `repair`). */
  readonly repaired: number;
}

interface Finding {
  readonly key: StockKey;
  /** The row version the finding was made at (null for ledger rows with no stock row). */
  version: number | null;
  ledger: { readonly stored: StockQuantities; readonly expected: StockQuantities } | null;
  reserved: { readonly stored: number; readonly expected: number } | null;
}

/** Confirmation attempts for a reserved mismatch on a row that keeps changing. */
const CONFIRM_ATTEMPTS = 3;

const NO_EFFECTS: CommitEffects = { touched: [], replenished: [], soldOut: [] };

/**
 * Reconciliation: checks invariants 2 and 3 of the design over every stock row, and optionally
 * repairs what does not add up.
 *
 * Reads go through `store.reads` (possibly a replica) and never block writers. They are ordered
 * so that live traffic does not produce false reports: a row's ledger is read after the row and
 * replayed only up to the row's version, and a reserved mismatch is reported only when the
 * holds, read between two reads of the row at the same version, still disagree with it.
 */
export class ReconciliationService {
  constructor(private readonly context: ServiceContext) {}

  /**
   * Replays the ledger per row and sums ACTIVE reservation lines per row; reports every row
   * where a quantity differs from its replay (`ledger`) or `reserved` from its holds
   * (`reserved`). With `repair`, each discrepant row gets, in one transaction:
   * - for `ledger`: one ADJUSTMENT movement whose deltas are the unexplained difference (the row's
   *   quantities are kept: the stored numbers are taken as the physical truth), so replaying the
   *   ledger gives the row again;
   * - for `reserved`: one ADJUSTMENT movement moving the difference between `reserved` and
   *   `available` so that `reserved` equals the holds (skipped when `available` is short).
   *
   * The movements carry `context.reason` (default: a reconciliation reason) and `context.actor`
   * (default `system:reconciliation`). A row that changed since it was checked is not repaired
   * (the next run checks it again), so two concurrent repairs never record a difference twice.
   * Ledger rows with movements but no stock row are reported, not repaired. The server runs it
   * daily (under a job lease).
   */
  async reconcile(
    options: ReconcileOptions = {},
    context: ChangeContext = {},
  ): Promise<ReconcileResult> {
    validate()
      .check(
        options.repair === undefined || typeof options.repair === 'boolean',
        'repair',
        'must be a boolean',
      )
      .done();
    const reads = this.context.store.reads;
    const holds = await this.readHolds();
    const findings = new Map<string, Finding>();
    const suspects = new Map<string, InventoryStock>();
    let checked = 0;
    let lastSku: string | null = null;
    let cursor: string | null = null;
    do {
      const page: Page<InventoryStock> = await reads.allStock({ limit: MAX_PAGE_LIMIT, cursor });
      for (const listed of page.items) {
        if (listed.sku === lastSku) continue;
        lastSku = listed.sku;
        const rows = await reads.stockBySku(listed.sku);
        const replayed = await this.replay(listed.sku, rows);
        for (const row of rows) {
          checked += 1;
          const key = stockKeyOf(row);
          const expected = replayed.get(key)?.quantities ?? ZERO_QUANTITIES;
          replayed.delete(key);
          if (BUCKETS.some((bucket) => row[bucket] !== expected[bucket])) {
            findings.set(key, {
              key: row,
              version: row.version,
              ledger: { stored: quantitiesOf(row), expected },
              reserved: null,
            });
          }
          if (row.reserved !== (holds.get(key) ?? 0)) suspects.set(key, row);
        }
        if (replayed.size > 0) {
          // A row created after our read has movements but was not in `rows`: not an orphan.
          for (const row of await reads.stockBySku(listed.sku)) replayed.delete(stockKeyOf(row));
        }
        for (const [key, { row, quantities }] of replayed) {
          findings.set(key, {
            key: row,
            version: null,
            ledger: { stored: ZERO_QUANTITIES, expected: quantities },
            reserved: null,
          });
        }
      }
      cursor = page.nextCursor;
    } while (cursor);

    await this.confirmReserved(suspects, findings);
    const ordered = [...findings.entries()].sort(([left], [right]) =>
      left < right ? -1 : left > right ? 1 : 0,
    );
    const discrepancies = ordered.flatMap(([, finding]) => describe(finding));
    let repaired = 0;
    if (options.repair) {
      for (const [, finding] of ordered) repaired += await this.repair(finding, context);
    }
    return { checked, discrepancies, repaired };
  }

  /** Sum of ACTIVE lines per row key. */
  private async readHolds(): Promise<Map<string, number>> {
    const holds = await this.context.store.reads.activeHolds();
    return new Map(holds.map((hold) => [stockKeyOf(hold), hold.quantity]));
  }

  /**
   * Replays a SKU's ledger per row, each row only up to the version it was read at (movements
   * appended since are not in the row yet). Rows with no stock row replay in full.
   */
  private async replay(
    sku: string,
    rows: readonly InventoryStock[],
  ): Promise<Map<string, { row: StockKey; quantities: StockQuantities }>> {
    const versions = new Map(rows.map((row) => [stockKeyOf(row), row.version]));
    const sums = new Map<string, { row: StockKey; quantities: StockQuantities }>();
    let cursor: string | null = null;
    do {
      const page: Page<Movement> = await this.context.store.reads.ledger(
        { sku },
        { limit: MAX_PAGE_LIMIT, cursor },
      );
      for (const movement of page.items) {
        const key = stockKeyOf(movement);
        const version = versions.get(key);
        if (version !== undefined && movement.version > version) continue;
        const sum = sums.get(key)?.quantities ?? ZERO_QUANTITIES;
        sums.set(key, {
          row: { sku: movement.sku, warehouseId: movement.warehouseId },
          quantities: addQuantities(sum, movement.deltas),
        });
      }
      cursor = page.nextCursor;
    } while (cursor);
    return sums;
  }

  /**
   * Keeps the reserved mismatches that hold up: holds re-read between two reads of the row at
   * the same version saw exactly that row state (every change to a hold writes its row).
   */
  private async confirmReserved(
    suspects: Map<string, InventoryStock>,
    findings: Map<string, Finding>,
  ): Promise<void> {
    let pending = suspects;
    for (let attempt = 0; attempt < CONFIRM_ATTEMPTS && pending.size > 0; attempt += 1) {
      const holds = await this.readHolds();
      const skus = [...new Set([...pending.values()].map((row) => row.sku))];
      const now = new Map<string, InventoryStock>();
      for (let start = 0; start < skus.length; start += 500) {
        const rows = await this.context.store.reads.stockBySkus(skus.slice(start, start + 500));
        for (const row of rows) now.set(stockKeyOf(row), row);
      }
      const next = new Map<string, InventoryStock>();
      for (const [key, before] of pending) {
        const after = now.get(key);
        if (!after) continue;
        if (after.version !== before.version) {
          next.set(key, after);
          continue;
        }
        const expected = holds.get(key) ?? 0;
        if (after.reserved === expected) continue;
        const finding = findings.get(key) ?? {
          key: after,
          version: after.version,
          ledger: null,
          reserved: null,
        };
        // The ledger difference does not change under logged movements, so the later version
        // is the one a repair must find.
        finding.version = after.version;
        finding.reserved = { stored: after.reserved, expected };
        findings.set(key, finding);
      }
      pending = next;
    }
  }

  /** Repairs one row; returns how many of its discrepancies were fixed. */
  private async repair(finding: Finding, context: ChangeContext): Promise<number> {
    if (finding.version === null) return 0;
    const key = { sku: finding.key.sku, warehouseId: finding.key.warehouseId };
    let effects = NO_EFFECTS;
    let fixed = 0;
    try {
      fixed = await this.context.transact(async (transaction) => {
        effects = NO_EFFECTS;
        const now = this.context.clock.now();
        const changes = new StockChangeSet(transaction, this.context, now);
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
              deltas({ reserved: shift, available: -shift }),
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
        effects = await changes.flush();
        return count;
      });
    } catch (error) {
      if (!isStockroomError(error)) throw error;
      this.context.logger.warn(
        { err: error, sku: key.sku, warehouseId: key.warehouseId },
        'reconciliation repair failed; the next run checks the row again',
      );
      return 0;
    }
    await this.context.afterCommit(effects);
    return fixed;
  }
}

function describe(finding: Finding): ReconcileDiscrepancy[] {
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
  return found;
}
