import type { Reservation } from '@stockroom/core';
import type { ReservationRows } from '@stockroom/core/adapter-kit';
import { APPLIED, chunks, distinct, NOT_APPLIED } from '@stockroom/sql-kit';
import { type Kysely, sql } from 'kysely';
import { sqliteKit, toMillis } from './mappers.js';
import type { ReservationTable, SqliteTables } from './tables.js';

const { reservationFromRows, reservationLinesToRows, reservationToRow } = sqliteKit.mappers;

type Db = Kysely<SqliteTables>;

/** Loads each reservation's lines and maps them, keeping the order of `rows`. */
export async function withLines(db: Db, rows: readonly ReservationTable[]): Promise<Reservation[]> {
  if (rows.length === 0) return [];
  const lines = new Map<string, SqliteTables['reservation_lines'][]>();
  for (const ids of chunks(distinct(rows.map((row) => row.id)))) {
    const found = await db
      .selectFrom('reservation_lines')
      .selectAll()
      .where('reservation_id', 'in', ids)
      .orderBy('reservation_id')
      .orderBy('line_no')
      .execute();
    for (const line of found) {
      const list = lines.get(line.reservation_id);
      if (list) list.push(line);
      else lines.set(line.reservation_id, [line]);
    }
  }
  return rows.map((row) => reservationFromRows(row, lines.get(row.id) ?? []));
}

/** Reservations and their lines inside a transaction (see `ReservationRows`). */
export function reservationRows(db: Db): ReservationRows {
  return {
    async get(ids) {
      const rows: ReservationTable[] = [];
      for (const part of chunks(distinct(ids))) {
        rows.push(
          ...(await db.selectFrom('reservations').selectAll().where('id', 'in', part).execute()),
        );
      }
      const byId = new Map((await withLines(db, rows)).map((item) => [item.id, item]));
      return distinct(ids).flatMap((id) => byId.get(id) ?? []);
    },

    async insert(reservations) {
      if (reservations.length === 0) return;
      for (const part of chunks(reservations, 9)) {
        await db.insertInto('reservations').values(part.map(reservationToRow)).execute();
      }
      for (const part of chunks(reservations.flatMap(reservationLinesToRows), 7)) {
        await db.insertInto('reservation_lines').values(part).execute();
      }
    },

    async update(next, expectedVersion) {
      const { id: _id, ...fields } = reservationToRow(next);
      const result = await db
        .updateTable('reservations')
        .set(fields)
        .where('id', '=', next.id)
        .where('version', '=', expectedVersion)
        .executeTakeFirst();
      if (result.numUpdatedRows !== 1n) return NOT_APPLIED;
      // Store the lines exactly as given (refunds, changed holds, partial steps, received
      // preorders and backorder fills change them); unchanged lines are not rewritten.
      const lines = reservationLinesToRows(next);
      if (lines.length > 0) {
        await db
          .insertInto('reservation_lines')
          .values(lines)
          .onConflict((conflict) =>
            conflict
              .columns(['reservation_id', 'line_no'])
              .doUpdateSet((eb) => ({
                sku: eb.ref('excluded.sku'),
                warehouse_id: eb.ref('excluded.warehouse_id'),
                quantity: eb.ref('excluded.quantity'),
                refunded: eb.ref('excluded.refunded'),
                kit_sku: eb.ref('excluded.kit_sku'),
                committed: eb.ref('excluded.committed'),
                released: eb.ref('excluded.released'),
                preordered: eb.ref('excluded.preordered'),
                receipt_id: eb.ref('excluded.receipt_id'),
                expected_at: eb.ref('excluded.expected_at'),
                backordered: eb.ref('excluded.backordered'),
              }))
              .where(
                sql<boolean>`(reservation_lines.sku, reservation_lines.warehouse_id, reservation_lines.quantity, reservation_lines.refunded, reservation_lines.committed, reservation_lines.released, reservation_lines.kit_sku, reservation_lines.preordered, reservation_lines.receipt_id, reservation_lines.expected_at, reservation_lines.backordered) IS NOT (excluded.sku, excluded.warehouse_id, excluded.quantity, excluded.refunded, excluded.committed, excluded.released, excluded.kit_sku, excluded.preordered, excluded.receipt_id, excluded.expected_at, excluded.backordered)`,
              ),
          )
          .execute();
      }
      await db
        .deleteFrom('reservation_lines')
        .where('reservation_id', '=', next.id)
        .where('line_no', '>=', lines.length)
        .execute();
      return APPLIED;
    },

    async claimDue(now, limit) {
      const rows = await db
        .selectFrom('reservations')
        .selectAll()
        .where('status', '=', 'ACTIVE')
        .where('expires_at', '<=', toMillis(now))
        .orderBy('expires_at')
        .orderBy('id')
        .limit(limit)
        .execute();
      return withLines(db, rows);
    },

    async waitingBackorders(keys) {
      if (keys.length === 0) return [];
      // The partial index on waiting lines finds them; the headers come oldest first.
      const ids = new Set<string>();
      for (const part of chunks(distinct(keys.map((key) => key.sku)))) {
        const lines = await db
          .selectFrom('reservation_lines')
          .select(['reservation_id', 'sku', 'warehouse_id'])
          .where('sku', 'in', part)
          .where('backordered', '>', 0)
          .execute();
        const wanted = new Set(keys.map((key) => `${key.sku}\u0000${key.warehouseId}`));
        for (const line of lines)
          if (wanted.has(`${line.sku}\u0000${line.warehouse_id}`)) ids.add(line.reservation_id);
      }
      const rows: ReservationTable[] = [];
      for (const part of chunks([...ids])) {
        rows.push(
          ...(await db
            .selectFrom('reservations')
            .selectAll()
            .where('id', 'in', part)
            .where('status', 'in', ['ACTIVE', 'COMMITTED'])
            .execute()),
        );
      }
      rows.sort((left, right) =>
        left.created_at !== right.created_at
          ? left.created_at - right.created_at
          : left.id < right.id
            ? -1
            : left.id > right.id
              ? 1
              : 0,
      );
      return withLines(db, rows);
    },

    async listByOrder(orderId) {
      const rows = await db
        .selectFrom('reservations')
        .selectAll()
        .where('order_id', '=', orderId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return withLines(db, rows);
    },
  };
}
