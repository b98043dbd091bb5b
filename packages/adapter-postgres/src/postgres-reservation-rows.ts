import type { Reservation } from '@stockroom/core';
import type { ReservationRows } from '@stockroom/core/adapter-kit';
import { APPLIED, inOrderOf, NOT_APPLIED } from '@stockroom/sql-kit';
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
  kit_sku: 'text',
  committed: 'bigint',
  released: 'bigint',
  preordered: 'bigint',
  receipt_id: 'text',
  expected_at: 'timestamptz',
  backordered: 'bigint',
};
/** A line whose stored columns an update may have to change (a refund, a preorder, a backorder). */
const linesMayChange = (line: {
  readonly refunded: number;
  readonly receiptId: string | null;
  readonly backordered: number;
}) => line.refunded !== 0 || line.receiptId !== null || line.backordered !== 0;

/** Most reservations one statement inserts. */
export const RESERVATIONS_PER_STATEMENT = 500;

/**
 * Reservations and their lines as two CTEs of a larger statement (`writeBatch`): the lines'
 * foreign key sees the headers (constraint checks run at the end of the statement; a
 * data-modifying CTE runs whether or not anything reads it, so neither returns rows).
 */
export function reservationInsertCtes(
  scope: SchemaScope,
  reservations: readonly Reservation[],
): RawBuilder<unknown> {
  return sql`new_reservations AS (
      ${insertUnnest(scope.table('reservations'), RESERVATION_TYPES, reservations.map(reservationToRow))}
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

    async update(next, expectedVersion, options = {}) {
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
      if (options.lines) {
        // A changed hold or a partial step: the lines are stored as given (renumbered from 0).
        if ((await header.executeTakeFirst()).numUpdatedRows !== 1n) return NOT_APPLIED;
        const lines = reservationLinesToRows(next);
        const table = scope.table('reservation_lines');
        await sql`DELETE FROM ${table}
          WHERE reservation_id = ${next.id} AND line_no >= ${lines.length}`.execute(db);
        await sql`${insertUnnest(table, RESERVATION_LINE_TYPES, lines)}
          ON CONFLICT (reservation_id, line_no) DO UPDATE SET
            sku = excluded.sku, warehouse_id = excluded.warehouse_id, quantity = excluded.quantity,
            refunded = excluded.refunded, committed = excluded.committed,
            released = excluded.released, kit_sku = excluded.kit_sku,
            preordered = excluded.preordered, receipt_id = excluded.receipt_id,
            expected_at = excluded.expected_at, backordered = excluded.backordered`.execute(db);
        return APPLIED;
      }
      // Otherwise lines change by refunds, received preorders, backorder fills and cancelled
      // backorders: the changed ones are written in the header's statement (one round trip);
      // the outcome is the header's.
      const values = next.lines.map((line, index) => [
        index,
        line.quantity,
        line.refunded,
        line.backordered,
        line.preordered,
      ]);
      const result = await sql<{ applied: string | number }>`
        WITH header AS (${header.returning('id')}),
        lines AS (
          UPDATE ${scope.table('reservation_lines')} AS l
          SET quantity = r.quantity, refunded = r.refunded, backordered = r.backordered,
            preordered = r.preordered
          FROM header, ${valuesList(values, ['integer', 'bigint', 'bigint', 'bigint', 'bigint'])}
            AS r (line_no, quantity, refunded, backordered, preordered)
          WHERE l.reservation_id = header.id AND l.line_no = r.line_no
            AND (l.quantity, l.refunded, l.backordered, l.preordered)
              IS DISTINCT FROM (r.quantity, r.refunded, r.backordered, r.preordered)
          RETURNING 1
        )
        SELECT count(*) AS applied FROM header
      `.execute(db);
      return Number(result.rows[0]?.applied ?? 0) === 1 ? APPLIED : NOT_APPLIED;
    },

    async updateMany(items) {
      // Headers only in one statement (commit, release and expiry never change lines); a
      // reservation whose lines may change goes through `update`, which writes its lines.
      const plain = items.filter((item) => !item.next.lines.some(linesMayChange));
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

    async waitingBackorders(keys) {
      if (keys.length === 0) return [];
      // The partial index on waiting lines finds them; the headers come oldest first.
      const rows = await selectReservations(db)
        .where('r.status', 'in', ['ACTIVE', 'COMMITTED'])
        .where(
          sql<boolean>`r.id IN (
            SELECT w.reservation_id FROM ${scope.table('reservation_lines')} AS w
            JOIN unnest(${keys.map((key) => key.sku)}::text[],
              ${keys.map((key) => key.warehouseId)}::text[]) AS k (sku, warehouse_id)
              ON w.sku = k.sku AND w.warehouse_id = k.warehouse_id
            WHERE w.backordered > 0)`,
        )
        .orderBy('r.created_at')
        .orderBy('r.id')
        .execute();
      return rows.map(reservationFromRow);
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
