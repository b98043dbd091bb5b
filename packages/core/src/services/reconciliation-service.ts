import {
  type InventoryStock,
  quantitiesOf,
  type StockQuantities,
  stockKeyOf,
} from '../domain/inventory-stock.js';
import type { ChangeContext } from '../domain/movement.js';
import type { LedgerCheckpoint, LedgerRange } from '../ports/history.js';
import type { Page } from '../ports/page.js';
import { MAX_PAGE_LIMIT } from '../ports/paging.js';
import {
  applySlice,
  checkpointOf,
  type RowReplay,
  replayFrom,
  sliceKey,
  sumLedgerRanges,
} from './ledger-replay.js';
import {
  describe,
  type Finding,
  repairFinding,
  sameQuantities,
} from './reconciliation-findings.js';
import { checkReceipts, type ReceiptDiscrepancy } from './reconciliation-receipts.js';
import type { ServiceContext } from './service-context.js';
import { validate } from './validate.js';

/** The quantity buckets of a stock row. */
export type StockBucket = keyof StockQuantities;

/** One number that does not add up. */
export interface ReconcileDiscrepancy {
  readonly sku: string;
  readonly warehouseId: string;
  /**
   * `ledger`: the row's `bucket` differs from the replay of its movements;
   * `reserved`: the row's `reserved` differs from the sum of its ACTIVE reservation lines;
   * `backordered`: the row's `backordered` differs from the units its ACTIVE and COMMITTED
   * reservation lines still wait for (reported, never repaired: whether the bucket or the
   * lines are wrong needs a person to decide).
   */
  readonly kind: 'ledger' | 'reserved' | 'backordered';
  readonly bucket: StockBucket;
  /** What the stock row holds. */
  readonly stored: number;
  /** What the ledger replay (or the sum of holds) says it should hold. */
  readonly expected: number;
}

/** Options of one reconciliation. */
export interface ReconcileOptions {
  /**
   * Writes an ADJUSTMENT movement per discrepant row so the ledger explains every number again
   * (`ledger` and `reserved` findings; `backordered` and receipt findings are only reported).
   * @default false
   */
  readonly repair?: boolean;
  /**
   * Replays every row from the start of its ledger instead of from its last checkpoint, and
   * checks each row's latest checkpoint against that replay (see `checkpointMismatches`). Where
   * history was archived, "the start" is the checkpoint the archive kept for the row (the
   * movements before it are in the export, not in the store). Costs the whole history.
   * @default false
   */
  readonly full?: boolean;
}

/** A checkpoint that the replay of its row's ledger from the start does not reproduce. */
export interface CheckpointMismatch {
  readonly sku: string;
  readonly warehouseId: string;
  readonly version: number;
  /** What the checkpoint holds. */
  readonly checkpoint: StockQuantities;
  /** What the movements up to `version` replay to. */
  readonly replayed: StockQuantities;
}

/** What one reconciliation found (and repaired). */
export interface ReconcileResult {
  /** Stock rows checked. */
  readonly checked: number;
  /**
   * Every discrepancy found on a stock row, sorted by (sku, warehouseId); per row `ledger` ones
   * first, then `reserved`, then `backordered`.
   */
  readonly discrepancies: readonly ReconcileDiscrepancy[];
  /**
   * Open receipts whose `preorderedQuantity` differs from the preordered units of the ACTIVE
   * lines pointing at them, sorted by receipt id (never repaired).
   */
  readonly receiptDiscrepancies: readonly ReceiptDiscrepancy[];
  /** How many of them the repair fixed (0 without `repair`). */
  readonly repaired: number;
  /** `incremental`: each row replayed from its last checkpoint; `full`: from the start. */
  readonly mode: 'incremental' | 'full';
  /** Movements read and replayed: what the run cost (in incremental mode, what changed since the last run). */
  readonly replayed: number;
  /** Checkpoints written: rows that added up and moved since their last checkpoint. */
  readonly checkpointed: number;
  /**
   * Full runs only (empty otherwise): rows whose latest checkpoint differs from the replay from
   * the start at the checkpoint's version. The run writes a fresh checkpoint for each such row
   * that adds up, so the next incremental run starts from a verified one.
   */
  readonly checkpointMismatches: readonly CheckpointMismatch[];
}

/** Confirmation attempts for a reserved mismatch on a row that keeps changing. */
const CONFIRM_ATTEMPTS = 3;

/**
 * Reconciliation: checks invariants 2 and 3 of the design over every stock row, the backorder
 * and preorder invariants, and optionally repairs what does not add up.
 *
 * Row reads go through `store.reads` (possibly a replica) and never block writers. They are
 * ordered so that live traffic does not produce false reports: a row's ledger is read after the
 * row and replayed only up to the row's version, and a reserved or backordered mismatch is
 * reported only when the holds and waiting lines, read between two reads of the row at the same
 * version, still disagree with it. Receipts are not in `store.reads`: they are checked in short
 * store transactions (a page of 500 open receipts each), a receipt's lines read between two
 * reads of the receipt at the same version.
 */
export class ReconciliationService {
  constructor(private readonly context: ServiceContext) {}

  /**
   * Checks every stock row against its ledger and sums ACTIVE reservation lines per row; reports
   * every row where a quantity differs from its replay (`ledger`), `reserved` from its holds
   * (`reserved`) or `backordered` from what its waiting lines wait for (`backordered`), and every
   * open receipt whose `preorderedQuantity` differs from its preorder lines
   * (`receiptDiscrepancies`).
   *
   * Each row is replayed from its last checkpoint (a verified snapshot written by an earlier
   * run) up to the version it was read at, so a run reads only the movements appended since the
   * last run: its cost follows what changed, not the length of the history. A row that adds up
   * gets a new checkpoint at its version. With `full`, rows are replayed from the start and each
   * latest checkpoint is checked against that replay.
   *
   * With `repair`, each discrepant row gets, in one transaction:
   * - for `ledger`: one ADJUSTMENT movement whose deltas are the unexplained difference (the row's
   *   quantities are kept: the stored numbers are taken as the physical truth), so replaying the
   *   ledger gives the row again;
   * - for `reserved`: one ADJUSTMENT movement moving the difference between `reserved` and
   *   `available` so that `reserved` equals the holds (skipped when `available` is short).
   *
   * The movements carry `context.reason` (default: a reconciliation reason) and `context.actor`
   * (default `system:reconciliation`). A row that changed since it was checked is not repaired
   * (the next run checks it again), so two concurrent repairs never record a difference twice.
   * Reads go through `store.reads` (possibly a replica) and never block writers; a row's
   * movements are read after the row and replayed only up to its version, so live traffic does
   * not produce false reports. The server runs it daily (under a job lease).
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
      .check(
        options.full === undefined || typeof options.full === 'boolean',
        'full',
        'must be a boolean',
      )
      .done();
    const full = options.full === true;
    const reads = this.context.store.reads;
    const horizon = full ? await reads.historyHorizon() : null;
    const holds = await this.readHolds();
    const waiting = await this.readWaiting();
    const findings = new Map<string, Finding>();
    const suspects = new Map<string, InventoryStock>();
    const mismatches: CheckpointMismatch[] = [];
    let checked = 0;
    let replayed = 0;
    let checkpointed = 0;
    let cursor: string | null = null;
    do {
      const page: Page<InventoryStock> = await reads.allStock({ limit: MAX_PAGE_LIMIT, cursor });
      const skus = [...new Set(page.items.map((row) => row.sku))];
      const latest = new Map(
        (await reads.latestCheckpoints(skus)).map((item) => [stockKeyOf(item), item]),
      );
      const bases = full ? await this.archiveBases(skus, horizon) : latest;
      const states = new Map<string, RowReplay>();
      const ranges: Array<LedgerRange & { throughVersion: number }> = [];
      const verify = new Map<string, LedgerCheckpoint>();
      for (const row of page.items) {
        const key = stockKeyOf(row);
        const base = bases.get(key);
        // A checkpoint newer than the row read: the read lags (a replica); the next run checks it.
        if (base && base.version > row.version) continue;
        states.set(key, replayFrom(base));
        const from = base?.version ?? 0;
        const checkpoint = latest.get(key);
        // A full run checks the latest checkpoint too: the replay is cut at its version.
        const cut =
          full && checkpoint && checkpoint.version > from && checkpoint.version <= row.version
            ? checkpoint.version
            : null;
        if (cut !== null) verify.set(key, checkpoint!);
        for (const [after, through] of cut === null
          ? [[from, row.version]]
          : [
              [from, cut],
              [cut, row.version],
            ]) {
          ranges.push({
            sku: row.sku,
            warehouseId: row.warehouseId,
            afterVersion: after!,
            throughVersion: through!,
          });
        }
      }
      const slices = await sumLedgerRanges(reads, ranges);
      for (const range of ranges) {
        const slice = slices.get(sliceKey(range));
        if (!slice) continue;
        const key = stockKeyOf(range);
        replayed += slice.count;
        const next = applySlice(states.get(key)!, slice);
        states.set(key, next);
        const checkpoint = verify.get(key);
        if (checkpoint && range.throughVersion === checkpoint.version) {
          verify.delete(key);
          if (!sameQuantities(checkpoint, next.quantities)) {
            mismatches.push({
              sku: checkpoint.sku,
              warehouseId: checkpoint.warehouseId,
              version: checkpoint.version,
              checkpoint: quantitiesOf(checkpoint),
              replayed: next.quantities,
            });
          }
        }
      }
      const now = this.context.clock.now();
      const written: LedgerCheckpoint[] = [];
      for (const row of page.items) {
        const key = stockKeyOf(row);
        const state = states.get(key);
        if (!state) continue;
        checked += 1;
        if (row.reserved !== (holds.get(key) ?? 0) || row.backordered !== (waiting.get(key) ?? 0))
          suspects.set(key, row);
        if (!sameQuantities(row, state.quantities)) {
          findings.set(key, {
            key: row,
            version: row.version,
            ledger: { stored: quantitiesOf(row), expected: state.quantities },
            reserved: null,
          });
          continue;
        }
        const stale = latest.get(key);
        const mismatched = mismatches.some(
          (item) => item.sku === row.sku && item.warehouseId === row.warehouseId,
        );
        if (stale && stale.version >= row.version && !mismatched) continue;
        const checkpoint = checkpointOf(row, { ...state, version: row.version }, now);
        if (checkpoint) written.push(checkpoint);
      }
      if (written.length > 0) {
        checkpointed += await this.context.transact((transaction) =>
          transaction.history.writeCheckpoints(written),
        );
      }
      cursor = page.nextCursor;
    } while (cursor);

    await this.confirmHolds(suspects, findings);
    const receiptDiscrepancies = await checkReceipts(this.context);
    const ordered = [...findings.entries()].sort(([left], [right]) =>
      left < right ? -1 : left > right ? 1 : 0,
    );
    const discrepancies = ordered.flatMap(([, finding]) => describe(finding));
    let repaired = 0;
    if (options.repair) {
      for (const [, finding] of ordered)
        repaired += await repairFinding(this.context, finding, context);
    }
    return {
      checked,
      discrepancies,
      repaired,
      mode: full ? 'full' : 'incremental',
      replayed,
      checkpointed,
      checkpointMismatches: mismatches,
      receiptDiscrepancies,
    };
  }

  /**
   * Where a full replay starts per row: nothing (the start of the ledger), or, where history
   * was archived, the checkpoint the archive kept (the latest one before the horizon).
   */
  private async archiveBases(
    skus: readonly string[],
    horizon: Date | null,
  ): Promise<Map<string, LedgerCheckpoint>> {
    const bases = new Map<string, LedgerCheckpoint>();
    if (horizon === null) return bases;
    const before = new Date(horizon.getTime() - 1);
    for (const sku of skus) {
      for (const checkpoint of await this.context.store.reads.checkpointsAsOf(sku, before)) {
        bases.set(stockKeyOf(checkpoint), checkpoint);
      }
    }
    return bases;
  }

  /** Sum of ACTIVE lines per row key. */
  private async readHolds(): Promise<Map<string, number>> {
    const holds = await this.context.store.reads.activeHolds();
    return new Map(holds.map((hold) => [stockKeyOf(hold), hold.quantity]));
  }

  /** Units waiting lines wait for, per row key. */
  private async readWaiting(): Promise<Map<string, number>> {
    const waiting = await this.context.store.reads.waitingBackorderUnits();
    return new Map(waiting.map((item) => [stockKeyOf(item), item.quantity]));
  }

  /**
   * Keeps the reserved and backordered mismatches that hold up: holds and waiting lines re-read
   * between two reads of the row at the same version saw exactly that row state (every change
   * to a hold or a waiting line writes its row).
   */
  private async confirmHolds(
    suspects: Map<string, InventoryStock>,
    findings: Map<string, Finding>,
  ): Promise<void> {
    let pending = suspects;
    for (let attempt = 0; attempt < CONFIRM_ATTEMPTS && pending.size > 0; attempt += 1) {
      const holds = await this.readHolds();
      const waiting = await this.readWaiting();
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
        const backordered = waiting.get(key) ?? 0;
        if (after.reserved === expected && after.backordered === backordered) continue;
        const finding = findings.get(key) ?? {
          key: after,
          version: after.version,
          ledger: null,
          reserved: null,
        };
        // The ledger difference does not change under logged movements, so the later version
        // is the one a repair must find.
        finding.version = after.version;
        if (after.reserved !== expected) finding.reserved = { stored: after.reserved, expected };
        if (after.backordered !== backordered)
          finding.backordered = { stored: after.backordered, expected: backordered };
        findings.set(key, finding);
      }
      pending = next;
    }
  }
}
