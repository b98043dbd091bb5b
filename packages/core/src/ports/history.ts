import type { StockKey, StockQuantities } from '../domain/inventory-stock.js';
import type { Movement } from '../domain/movement.js';
import type { Page, PageRequest } from './page.js';

/**
 * A verified snapshot of one stock row: what the row's ledger replays to at `version`. A
 * reconciliation writes one when the row adds up, so the next run (and `stockAsOf`) replays only
 * the movements after it. The ledger stays the truth: a full reconciliation replays from the
 * start and checks every row's latest checkpoint against it.
 */
export interface LedgerCheckpoint extends StockKey, StockQuantities {
  /** The row version the quantities are those of. */
  readonly version: number;
  /**
   * When the movement that made `version` was recorded: the snapshot describes the row from then
   * until its next movement.
   */
  readonly movedAt: Date;
  /** The time of the row's last RESTOCK movement at `version`, or null. */
  readonly lastRestockedAt: Date | null;
  /** The time of the row's last SALE movement at `version`, or null. */
  readonly lastSoldAt: Date | null;
  /** When the reconciliation that wrote it ran. */
  readonly verifiedAt: Date;
}

/** A slice of one row's ledger: versions in `(afterVersion, throughVersion]`. */
export interface LedgerRange extends StockKey {
  /** Only movements with a version above this one (0: from the start). */
  readonly afterVersion: number;
  /** Only movements with a version at or below this one; no upper bound when left out. */
  readonly throughVersion?: number;
}

/**
 * What replaying a movement needs: a movement without its id and its who / why / which-document
 * fields (stores may return whole movements).
 */
export type LedgerEntry = Pick<
  Movement,
  'sku' | 'warehouseId' | 'version' | 'type' | 'deltas' | 'after' | 'createdAt'
>;

/** The sums of one ledger slice (see {@link HistoryReads.ledgerSums}). */
export interface LedgerSlice extends StockKey {
  /** The `afterVersion` of the range asked for (identifies the slice when a row has several). */
  readonly afterVersion: number;
  /** Movements in the slice (at least 1: empty slices are left out). */
  readonly count: number;
  /** The sum of their deltas. */
  readonly deltas: StockQuantities;
  /** The highest version in the slice. */
  readonly lastVersion: number;
  /** When the movement at `lastVersion` was recorded. */
  readonly lastMovedAt: Date;
  /** The latest recording time of a RESTOCK in the slice, or null. */
  readonly lastRestockedAt: Date | null;
  /** The latest recording time of a SALE in the slice, or null. */
  readonly lastSoldAt: Date | null;
}

/** Options of {@link HistoryReads.ledgerSince}. */
export interface LedgerSinceOptions {
  /** Only movements recorded at or before this instant. */
  readonly until?: Date;
  /** The most movements to return (1–10 000). */
  readonly limit: number;
}

/** Reads of checkpoints, ledger slices and the archive horizon (outside transactions). */
export interface HistoryReads {
  /**
   * The latest checkpoint (highest version) of every row of the given SKUs that has one, sorted
   * by (sku, warehouseId).
   * @throws STORE_UNAVAILABLE
   */
  latestCheckpoints(skus: readonly string[]): Promise<LedgerCheckpoint[]>;
  /**
   * Per row of a SKU, the latest checkpoint with `movedAt <= instant`, sorted by warehouseId.
   * @throws STORE_UNAVAILABLE
   */
  checkpointsAsOf(sku: string, instant: Date): Promise<LedgerCheckpoint[]>;
  /**
   * The movements of the given ledger slices (as {@link LedgerEntry}: what a replay reads), in
   * ledger order (sku, warehouseId, version), at most `limit` of them. A caller that got `limit` movements asks again with the last row's
   * `afterVersion` moved to the last version it got (and the rows before it left out).
   * @throws STORE_UNAVAILABLE
   */
  ledgerSince(ranges: readonly LedgerRange[], options: LedgerSinceOptions): Promise<LedgerEntry[]>;
  /**
   * The sums of the given ledger slices, one per slice that holds a movement, in any order: what
   * reconciliation replays, summed where the movements are (the store reads the slice's
   * movements; only one row per slice comes back). At most 1000 ranges per call.
   * @throws STORE_UNAVAILABLE
   */
  ledgerSums(ranges: readonly LedgerRange[]): Promise<LedgerSlice[]>;
  /**
   * Movements recorded before `before` that a checkpoint covers: the row has a checkpoint with
   * `movedAt < before` whose version is at or above the movement's. Ordered by (createdAt, id),
   * paged. These are the movements archiving may remove.
   * @throws STORE_UNAVAILABLE, VALIDATION_FAILED (a cursor this store did not issue)
   */
  archivable(before: Date, page: PageRequest): Promise<Page<Movement>>;
  /**
   * The instant before which movements may have been archived, or null when none ever were.
   * @throws STORE_UNAVAILABLE
   */
  historyHorizon(): Promise<Date | null>;
}

/** The movement fields that identify a stored movement (the key PostgreSQL partitions on included). */
export type MovementRef = Pick<Movement, 'id' | 'sku' | 'warehouseId' | 'version'>;

/** Checkpoints, archiving and the horizon inside a transaction. */
export interface HistoryRows {
  /**
   * Stores checkpoints; one for a (row, version) that exists already is replaced.
   * @returns how many were written
   * @throws STORE_UNAVAILABLE, VERSION_CONFLICT (retryable)
   */
  writeCheckpoints(checkpoints: readonly LedgerCheckpoint[]): Promise<number>;
  /**
   * Moves the archive horizon to `before` unless it is already later (it never moves back).
   * @returns the horizon now in force
   * @throws STORE_UNAVAILABLE, VERSION_CONFLICT (retryable)
   */
  raiseHorizon(before: Date): Promise<Date>;
  /**
   * Deletes exactly these movements (by id and row); ones already gone are skipped.
   * @returns how many were deleted
   * @throws STORE_UNAVAILABLE, VERSION_CONFLICT (retryable)
   */
  removeMovements(movements: readonly MovementRef[]): Promise<number>;
  /**
   * Deletes checkpoints with `movedAt < before` that a later checkpoint of the same row, also
   * with `movedAt < before`, supersedes (each row keeps its latest checkpoint before the horizon).
   * @returns how many were deleted
   * @throws STORE_UNAVAILABLE, VERSION_CONFLICT (retryable)
   */
  pruneCheckpoints(before: Date): Promise<number>;
}
