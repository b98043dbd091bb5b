import type { HistoryReads, LedgerSlice } from '@stockroom/core/adapter-kit';
import { timeKeysetPage } from './keyset-page.js';
import type { KitContext } from './shared-reads.js';
import type { RawInt, RawTime } from './tables.js';

/** One row of a store's `ledgerSums` query (the sums per range, and the last movement's time). */
export interface LedgerSumRow {
  readonly sku: string;
  readonly warehouse_id: string;
  readonly after_version: RawInt;
  readonly n: RawInt;
  readonly available: RawInt;
  readonly reserved: RawInt;
  readonly damaged: RawInt;
  readonly in_transit: RawInt;
  readonly backordered: RawInt;
  readonly last_version: RawInt;
  readonly restocked: RawTime | null;
  readonly sold: RawTime | null;
  readonly moved_at: RawTime;
}

/** The history reads both engines run as the same SQL, and the mapping of their sum rows. */
export interface SharedHistory {
  readonly reads: Pick<HistoryReads, 'archivable' | 'historyHorizon'>;
  /** A `ledgerSums` row → the port's {@link LedgerSlice}. */
  ledgerSumFromRow(row: LedgerSumRow): LedgerSlice;
}

/** The shared history reads over `context` (the store's read kysely). */
export function sharedHistory(context: KitContext): SharedHistory {
  const { db, codec, mappers } = context;
  const maybeTime = (value: RawTime | null) => (value === null ? null : codec.time(value));
  return {
    reads: {
      archivable(before, request) {
        // Movements before `before` that a checkpoint before `before` covers, oldest first.
        const horizon = codec.toTime(before);
        const query = db
          .selectFrom('movements as m')
          .selectAll('m')
          .where('m.created_at', '<', horizon)
          .where((eb) =>
            eb(
              'm.version',
              '<=',
              eb
                .selectFrom('ledger_checkpoints as c')
                .select((inner) => inner.fn.max('c.version').as('version'))
                .whereRef('c.sku', '=', 'm.sku')
                .whereRef('c.warehouse_id', '=', 'm.warehouse_id')
                .where('c.moved_at', '<', horizon),
            ),
          );
        return timeKeysetPage(query, request, codec, {
          time: 'm.created_at',
          id: 'm.id',
          order: 'asc',
          map: mappers.movementFromRow,
          timeOf: (item) => item.createdAt,
        });
      },

      async historyHorizon() {
        const row = await db
          .selectFrom('ledger_horizon')
          .select('archived_before')
          .where('id', '=', 1)
          .executeTakeFirst();
        return row ? codec.time(row.archived_before) : null;
      },
    },

    ledgerSumFromRow: (row) => ({
      sku: row.sku,
      warehouseId: row.warehouse_id,
      afterVersion: codec.int(row.after_version),
      count: codec.int(row.n),
      deltas: {
        available: codec.int(row.available),
        reserved: codec.int(row.reserved),
        damaged: codec.int(row.damaged),
        inTransit: codec.int(row.in_transit),
        backordered: codec.int(row.backordered),
      },
      lastVersion: codec.int(row.last_version),
      lastMovedAt: codec.time(row.moved_at),
      lastRestockedAt: maybeTime(row.restocked),
      lastSoldAt: maybeTime(row.sold),
    }),
  };
}
