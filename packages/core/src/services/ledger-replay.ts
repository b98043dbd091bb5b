import {
  addQuantities,
  type StockKey,
  type StockQuantities,
  stockKeyOf,
  ZERO_QUANTITIES,
} from '../domain/inventory-stock.js';
import type { Movement } from '../domain/movement.js';
import type { HistoryReads, LedgerCheckpoint, LedgerRange } from '../ports/history.js';

/** Movements per `ledgerSince` call. */
export const LEDGER_BATCH = 5000;
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
    },
    version: checkpoint.version,
    movedAt: checkpoint.movedAt,
    lastRestockedAt: checkpoint.lastRestockedAt,
    lastSoldAt: checkpoint.lastSoldAt,
  };
}

/** Applies one movement (the next in ledger order) to a replay. */
export function applyMovement(state: RowReplay, movement: Movement): RowReplay {
  return {
    quantities: addQuantities(state.quantities, movement.deltas),
    version: movement.version,
    movedAt: movement.createdAt,
    lastRestockedAt: movement.type === 'RESTOCK' ? movement.createdAt : state.lastRestockedAt,
    lastSoldAt: movement.type === 'SALE' ? movement.createdAt : state.lastSoldAt,
  };
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
 * Reads the movements of every range in ledger order and hands each to `visit`, a bounded batch
 * at a time, whatever the size of a row's history. Ranges that cannot hold a movement are not
 * asked for. @returns how many movements were read
 */
export async function readLedgerRanges(
  reads: HistoryReads,
  ranges: readonly LedgerRange[],
  options: { readonly until?: Date },
  visit: (movement: Movement) => void,
): Promise<number> {
  let read = 0;
  const open = ranges.filter(
    (range) => range.throughVersion === undefined || range.throughVersion > range.afterVersion,
  );
  for (let start = 0; start < open.length; start += RANGES_PER_CALL) {
    let pending = open.slice(start, start + RANGES_PER_CALL);
    while (pending.length > 0) {
      const batch = await reads.ledgerSince(pending, { ...options, limit: LEDGER_BATCH });
      for (const movement of batch) visit(movement);
      read += batch.length;
      if (batch.length < LEDGER_BATCH) break;
      // Ledger order: every row seen before the last one is complete; the last one continues.
      const last = batch[batch.length - 1]!;
      const lastKey = stockKeyOf(last);
      const done = new Set(batch.map(stockKeyOf));
      done.delete(lastKey);
      pending = pending
        .filter((range) => !done.has(stockKeyOf(range)))
        .map((range) =>
          stockKeyOf(range) === lastKey ? { ...range, afterVersion: last.version } : range,
        );
    }
  }
  return read;
}
