import type { StoreReads } from '@stockroom/core/adapter-kit';
import { plainColumn, reservationListPage, sharedReads, timeKeysetPage } from '@stockroom/sql-kit';
import { sql } from 'kysely';
import { postgresKit, reservationFromRow } from './mappers.js';
import { postgresHistoryReads } from './postgres-history.js';
import { type SchemaScope, selectReservations } from './queries.js';

const { idempotencyFromRow, stockFromRow } = postgresKit.mappers;

/**
 * Reads outside transactions, in autocommit mode on `scope` — the read replica when one is
 * configured, so they may lag the primary by the replica's delay. Most are the SQL kit's shared
 * queries; what is here reads in one statement what SQLite reads in several.
 */
export function postgresStoreReads(scope: SchemaScope): StoreReads {
  const { db } = scope;
  const context = postgresKit.contextOf(db);

  return {
    ...sharedReads(context, { unindexed: plainColumn }),
    ...postgresHistoryReads(scope),

    async stockBySkus(skus) {
      if (skus.length === 0) return [];
      const rows = await db
        .selectFrom('stock')
        .selectAll()
        .where(sql<boolean>`sku = ANY(${[...skus]}::text[])`)
        .orderBy('sku')
        .orderBy('warehouse_id')
        .execute();
      return rows.map(stockFromRow);
    },

    async reservation(id) {
      const row = await selectReservations(db).where('r.id', '=', id).executeTakeFirst();
      return row ? reservationFromRow(row) : null;
    },

    reservationsByStatus(status, request) {
      return timeKeysetPage(
        selectReservations(db).where('r.status', '=', status),
        request,
        context.codec,
        {
          time: 'r.created_at',
          id: 'r.id',
          order: 'asc',
          map: reservationFromRow,
          timeOf: (item) => item.createdAt,
        },
      );
    },

    reservations(filter, request) {
      return reservationListPage(selectReservations(db), filter, request, {
        codec: context.codec,
        linesTable: scope.table('reservation_lines'),
        expiryByStatus: true,
        map: reservationFromRow,
        createdAtOf: (item) => item.createdAt,
      });
    },

    async idempotencyRecords(keys) {
      if (keys.length === 0) return [];
      const rows = await db
        .selectFrom('idempotency_keys')
        .selectAll()
        .where(
          sql<boolean>`(scope, key) IN (SELECT * FROM unnest(${keys.map((item) => item.scope)}::text[], ${keys.map((item) => item.key)}::text[]))`,
        )
        .execute();
      return rows.map(idempotencyFromRow);
    },
  };
}
