import type { ReservationFilter } from '@stockroom/core';
import type { StoreReads } from '@stockroom/core/adapter-kit';
import {
  reservationLineConditions,
  reservationListPage,
  sharedReads,
  timeKeysetPage,
  unaryPlusColumn,
} from '@stockroom/sql-kit';
import { type Kysely, sql } from 'kysely';
import { sqliteKit } from './mappers.js';
import { sqliteHistoryReads } from './sqlite-history.js';
import { withLines } from './sqlite-reservation-rows.js';
import { stockOfSkus } from './sqlite-stock-rows.js';
import type { SqliteTables } from './tables.js';

type Db = Kysely<SqliteTables>;

/**
 * Lines a SKU or warehouse filter may match before the listing walks reservations newest first
 * (testing each against the matching ids) rather than fetching every match and sorting it.
 */
const MANY_LINES = 2000;

/**
 * True when the filter's SKU and/or warehouse match more than {@link MANY_LINES} lines: a
 * bounded count on the (sku, warehouse_id, reservation_id) or (warehouse_id, reservation_id)
 * index, since SQLite's statistics give every SKU the same average and cannot tell a hot one.
 */
async function hasManyLines(db: Db, filter: ReservationFilter): Promise<boolean> {
  const lines = reservationLineConditions(filter);
  if (!lines) return false;
  const { rows } = await sql<{ count: number }>`SELECT count(*) AS count FROM (
    SELECT 1 FROM reservation_lines AS l WHERE ${lines} LIMIT ${MANY_LINES + 1})`.execute(db);
  return (rows[0]?.count ?? 0) > MANY_LINES;
}

/**
 * Reads outside transactions. They run on the read connection (see the store: a second
 * connection in WAL mode, or the write connection between transactions) and see only committed
 * data. Most are the SQL kit's shared queries; reads made of several statements (a reservation
 * and its lines, SKUs in chunks) run here in one read transaction, so they see one snapshot.
 */
export function createSqliteStoreReads(db: Db): StoreReads {
  const snapshot = <T>(work: (db: Db) => Promise<T>): Promise<T> => db.transaction().execute(work);
  const context = sqliteKit.contextOf(db);

  return {
    // Unary plus keeps SQLite from picking a created_at index for the ledger's `until` and then
    // sorting the whole SKU's ledger for every page; ledger order comes from movements_ledger.
    ...sharedReads(context, { unindexed: unaryPlusColumn }),
    ...sqliteHistoryReads(db),

    stockBySkus: (skus) => snapshot((transaction) => stockOfSkus(transaction, skus)),

    reservation: (id) =>
      snapshot(async (transaction) => {
        const row = await transaction
          .selectFrom('reservations')
          .selectAll()
          .where('id', '=', id)
          .executeTakeFirst();
        return row ? ((await withLines(transaction, [row]))[0] ?? null) : null;
      }),

    reservationsByStatus: (status, request) =>
      snapshot(async (transaction) => {
        const query = transaction
          .selectFrom('reservations')
          .selectAll()
          .where('status', '=', status);
        const page = await timeKeysetPage(query, request, context.codec, {
          time: 'created_at',
          id: 'id',
          order: 'asc',
          map: (row) => row,
          timeOf: (row) => new Date(row.created_at),
        });
        return { items: await withLines(transaction, page.items), nextCursor: page.nextCursor };
      }),

    reservations: (filter, request) =>
      snapshot(async (transaction) => {
        const page = await reservationListPage(
          transaction.selectFrom('reservations as r').selectAll('r'),
          filter,
          request,
          {
            codec: context.codec,
            linesTable: sql.table('reservation_lines'),
            ...((await hasManyLines(transaction, filter))
              ? { reservationId: unaryPlusColumn('r.id') }
              : {}),
            map: (row) => row,
            createdAtOf: (row) => new Date(row.created_at),
          },
        );
        return { items: await withLines(transaction, page.items), nextCursor: page.nextCursor };
      }),
  };
}
