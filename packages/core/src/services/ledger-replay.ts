import {
  addQuantities,
  type StockKey,
  type StockQuantities,
  ZERO_QUANTITIES,
} from '../domain/inventory-stock.js';
import type {
  HistoryReads,
  LedgerCheckpoint,
  LedgerEntry,
  LedgerRange,
  LedgerSlice,
} from '../ports/history.js';

/** Movements per `ledgerSince` call. */
export const LEDGER_BATCH = 10_000;
/** Ranges per `ledgerSince` call. */
const RANGES_PER_CALL = 1000;

/** A row's ledger replayed up to some version. */
export interface RowReplay {
  readonly quantities: StockQuantities;
  /** The version of the last movement applied (or of the checkpoint it started from). */
  readonly version: number;
  /** When the last applied movement was recorded; null before any. */
  readonly movedAt: Date | null;
  readonly lastRestockedAt: Date | null;
  readonly lastSoldAt: Date | null;
}

/** The state a replay starts from: a checkpoint, or the empty row. */
export function replayFrom(checkpoint?: LedgerCheckpoint): RowReplay {
  if (!checkpoint) {
    return {
      quantities: ZERO_QUANTITIES,
      version: 0,
      movedAt: null,
      lastRestockedAt: null,
      lastSoldAt: null,
    };
  }
  return {
    quantities: {
      available: checkpoint.available,
      reserved: checkpoint.reserved,
      damaged: checkpoint.damaged,
      inTransit: checkpoint.inTransit,
      backordered: checkpoint.backordered,
    },
    version: checkpoint.version,
    movedAt: checkpoint.movedAt,
    lastRestockedAt: checkpoint.lastRestockedAt,
    lastSoldAt: checkpoint.lastSoldAt,
  };
}

/** Applies a slice's sums (the movements right after the replay's version) to a replay. */
export function applySlice(state: RowReplay, slice: LedgerSlice): RowReplay {
  const latest = (left: Date | null, right: Date | null) =>
    left === null ? right : right === null || right < left ? left : right;
  return {
    quantities: addQuantities(state.quantities, slice.deltas),
    version: slice.lastVersion,
    movedAt: slice.lastMovedAt,
    lastRestockedAt: latest(state.lastRestockedAt, slice.lastRestockedAt),
    lastSoldAt: latest(state.lastSoldAt, slice.lastSoldAt),
  };
}

/** The key of a slice: its row and where it starts. */
export function sliceKey(range: StockKey & { readonly afterVersion: number }): string {
  return `${range.sku}\u0000${range.warehouseId}\u0000${range.afterVersion}`;
}

/**
 * Sums every range's movements in the store, {@link RANGES_PER_CALL} ranges a call; empty
 * ranges are not asked for. @returns the slices by {@link sliceKey}
 */
export async function sumLedgerRanges(
  reads: HistoryReads,
  ranges: readonly (LedgerRange & { readonly throughVersion: number })[],
): Promise<Map<string, LedgerSlice>> {
  const open = ranges.filter((range) => range.throughVersion > range.afterVersion);
  const slices = new Map<string, LedgerSlice>();
  for (let start = 0; start < open.length; start += RANGES_PER_CALL) {
    for (const slice of await reads.ledgerSums(open.slice(start, start + RANGES_PER_CALL))) {
      slices.set(sliceKey(slice), slice);
    }
  }
  return slices;
}

/** The checkpoint a replay amounts to (null when it never applied a movement nor started from one). */
export function checkpointOf(
  key: StockKey,
  state: RowReplay,
  verifiedAt: Date,
): LedgerCheckpoint | null {
  if (state.movedAt === null || state.version === 0) return null;
  return {
    sku: key.sku,
    warehouseId: key.warehouseId,
    ...state.quantities,
    version: state.version,
    movedAt: state.movedAt,
    lastRestockedAt: state.lastRestockedAt,
    lastSoldAt: state.lastSoldAt,
    verifiedAt,
  };
}

/**
 * Reads the movements of every range and hands each to `visit`, each row's in version order,
 * a bounded batch at a time whatever the size of a row's history: ranges are cut into slices
 * of at most {@link LEDGER_BATCH} versions and grouped so that one call spans at most that many
 * versions (a row has at most one movement per version), so a store never sorts more than one
 * batch. Empty ranges are not asked for. @returns how many movements were read
 */
export async function readLedgerRanges(
  reads: HistoryReads,
  ranges: readonly (LedgerRange & { readonly throughVersion: number })[],
  options: { readonly until?: Date },
  visit: (movement: LedgerEntry) => void,
): Promise<number> {
  let read = 0;
  let call: LedgerRange[] = [];
  let span = 0;
  const flush = async () => {
    if (call.length === 0) return;
    const batch = await reads.ledgerSince(call, { ...options, limit: span });
    for (const movement of batch) visit(movement);
    read += batch.length;
    call = [];
    span = 0;
  };
  for (const range of ranges) {
    for (let after = range.afterVersion; after < range.throughVersion; ) {
      const through = Math.min(range.throughVersion, after + LEDGER_BATCH - span);
      call.push({
        sku: range.sku,
        warehouseId: range.warehouseId,
        afterVersion: after,
        throughVersion: through,
      });
      span += through - after;
      after = through;
      if (span >= LEDGER_BATCH || call.length >= RANGES_PER_CALL) await flush();
    }
  }
  await flush();
  return read;
}
