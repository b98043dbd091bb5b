import type { Reservation } from '@stockroom/core';
import type { ReservationRows } from '@stockroom/core/adapter-kit';
import { APPLIED, inOrderOf, NOT_APPLIED, outcome } from '@stockroom/sql-kit';
import { type Insertable, type RawBuilder, sql } from 'kysely';
import { postgresKit, reservationFromRow } from './mappers.js';
import {
  type ColumnTypes,
  chunk,
  insertUnnest,
  type SchemaScope,
  selectReservations,
  valuesList,
} from './queries.js';
import type { Database } from './tables.js';

const { reservationLinesToRows, reservationToRow } = postgresKit.mappers;

// Column types of the rows the reservation path inserts with `insertUnnest` (one array a column).
const RESERVATION_TYPES: ColumnTypes<Insertable<Database['reservations']>> = {
  id: 'text',
  status: 'text',
  order_id: 'text',
  user_id: 'text',
  created_at: 'timestamptz',
  expires_at: 'timestamptz',
  committed_at: 'timestamptz',
  released_at: 'timestamptz',
  version: 'bigint',
};
const RESERVATION_LINE_TYPES: ColumnTypes<Insertable<Database['reservation_lines']>> = {
  reservation_id: 'text',
  line_no: 'integer',
  sku: 'text',
  warehouse_id: 'text',
  quantity: 'bigint',
  refunded: 'bigint',
};
/** Most reservations one statement inserts. */
export const RESERVATIONS_PER_STATEMENT = 500;

/**
 * Reservations and their lines as two CTEs of a larger statement (`writeBatch`): the lines'
 * foreign key sees the headers (constraint checks run at the end of the statement).
 */
export function reservationInsertCtes(
  scope: SchemaScope,
  reservations: readonly Reservation[],
): RawBuilder<unknown> {
  return sql`new_reservations AS (
      ${insertUnnest(scope.table('reservations'), RESERVATION_TYPES, reservations.map(reservationToRow))}
      RETURNING id
    ),
    new_reservation_lines AS (
      ${insertUnnest(scope.table('reservation_lines'), RESERVATION_LINE_TYPES, reservations.flatMap(reservationLinesToRows))}
    )`;
}

/**
 * Reservations and their lines inside a transaction: one statement per batch (headers and lines
 * together, `unnest` arrays), locks in id order.
 */
export function postgresReservationRows(scope: SchemaScope): ReservationRows {
  const { db } = scope;
  const rows: ReservationRows = {
    async get(ids, options = {}) {
      if (ids.length === 0) return [];
      let query = selectReservations(db).where(sql<boolean>`r.id = ANY(${[...ids]}::text[])`);
      // Locks are taken in id order, so two transactions locking overlapping sets queue.
      if (options.lock) query = query.orderBy('r.id').forUpdate();
      return inOrderOf(ids, (await query.execute()).map(reservationFromRow));
    },

    async insert(reservations) {
      // Headers and lines in one statement: the lines' foreign key sees the headers the CTE
      // inserted (constraint checks run at the end of the statement).
      for (const part of chunk(reservations, RESERVATIONS_PER_STATEMENT)) {
        const lines = part.flatMap(reservationLinesToRows);
        await sql`
          WITH inserted AS (
            ${insertUnnest(scope.table('reservations'), RESERVATION_TYPES, part.map(reservationToRow))}
            RETURNING id
          )
          ${insertUnnest(scope.table('reservation_lines'), RESERVATION_LINE_TYPES, lines)}
        `.execute(db);
      }
    },

    async update(next, expectedVersion) {
      const header = db
        .updateTable('reservations')
        .set({
          status: next.status,
          order_id: next.orderId,
          user_id: next.userId,
          expires_at: next.expiresAt,
          committed_at: next.committedAt,
          released_at: next.releasedAt,
          version: next.version,
        })
        .where('id', '=', next.id)
        .where('version', '=', expectedVersion);
      // Lines only change by refunds (which only grow from 0): skip them in the common case.
      if (next.lines.every((line) => line.refunded === 0)) {
        return outcome((await header.executeTakeFirst()).numUpdatedRows);
      }
      const refunds = next.lines.map((line, index) => [index, line.refunded]);
      const result = await sql`
        WITH header AS (${header.returning('id')})
        UPDATE ${scope.table('reservation_lines')} AS l SET refunded = r.refunded
        FROM header, ${valuesList(refunds, ['integer', 'bigint'])} AS r (line_no, refunded)
        WHERE l.reservation_id = header.id AND l.line_no = r.line_no
      `.execute(db);
      return outcome(result.numAffectedRows, BigInt(refunds.length));
    },

    async updateMany(items) {
      // Headers only in one statement; a reservation with refunds goes through `update`.
      const plain = items.filter((item) => item.next.lines.every((line) => line.refunded === 0));
      for (const item of items) {
        if (plain.includes(item)) continue;
        if (!(await rows.update(item.next, item.expectedVersion)).applied) return NOT_APPLIED;
      }
      if (plain.length === 0) return APPLIED;
      const column = <T>(pick: (item: (typeof plain)[number]) => T) => plain.map(pick);
      const result = await sql`
        UPDATE ${scope.table('reservations')} AS r SET
          status = v.status, order_id = v.order_id, user_id = v.user_id,
          expires_at = v.expires_at, committed_at = v.committed_at,
          released_at = v.released_at, version = v.version
        FROM unnest(
          ${column((item) => item.next.id)}::text[],
          ${column((item) => item.expectedVersion)}::bigint[],
          ${column((item) => item.next.status)}::text[],
          ${column((item) => item.next.orderId)}::text[],
          ${column((item) => item.next.userId)}::text[],
          ${column((item) => item.next.expiresAt)}::timestamptz[],
          ${column((item) => item.next.committedAt)}::timestamptz[],
          ${column((item) => item.next.releasedAt)}::timestamptz[],
          ${column((item) => item.next.version)}::bigint[]
        ) AS v (id, expected, status, order_id, user_id, expires_at, committed_at, released_at, version)
        WHERE r.id = v.id AND r.version = v.expected
      `.execute(db);
      return result.numAffectedRows === BigInt(plain.length) ? APPLIED : NOT_APPLIED;
    },

    async claimDue(now, limit) {
      // SKIP LOCKED: a sweeper never waits for, nor claims, a reservation another sweeper holds.
      // A row expired and committed by another sweeper since this statement's snapshot is
      // re-checked after the lock and left out (it is no longer ACTIVE).
      const rows = await selectReservations(db)
        .where('r.status', '=', 'ACTIVE')
        .where('r.expires_at', '<=', now)
        .orderBy('r.expires_at')
        .orderBy('r.id')
        .limit(limit)
        .forUpdate()
        .skipLocked()
        .execute();
      return rows.map(reservationFromRow);
    },

    async listByOrder(orderId) {
      const rows = await selectReservations(db)
        .where('r.order_id', '=', orderId)
        .orderBy('r.created_at')
        .orderBy('r.id')
        .execute();
      return rows.map(reservationFromRow);
    },
  };
  return rows;
}
