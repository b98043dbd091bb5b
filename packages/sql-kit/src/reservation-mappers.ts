import type { Reservation, ReservationLine, ReservationStatus } from '@stockroom/core';
import type { Insertable, Selectable } from 'kysely';
import { type SqlCodec, timeOrNull, toTimeOrNull } from './codec.js';
import type {
  AnyEngineColumns,
  EngineColumns,
  RawInt,
  RawTime,
  ReservationLineTable,
  ReservationTable,
} from './tables.js';

/** A reservation line as a store reads it (columns, or pg's JSON aggregate in camelCase). */
export interface ReservationLineRow {
  readonly sku: string;
  readonly warehouse_id: string;
  readonly quantity: RawInt;
  readonly refunded: RawInt;
  /** Absent in rows written before migration 0011. */
  readonly kit_sku?: string | null;
  readonly committed: RawInt;
  readonly released: RawInt;
  /** Absent in rows read before migration 0008's columns are selected: 0. */
  readonly preordered?: RawInt;
  readonly receipt_id?: string | null;
  readonly expected_at?: RawTime | null;
  readonly backordered: RawInt;
}

/** The reservation ↔ row mappings (header and lines) of {@link RowMappers}. */
export interface ReservationMappers<C extends EngineColumns = AnyEngineColumns> {
  reservationFromRows(
    row: Selectable<ReservationTable<C>>,
    lines: readonly ReservationLineRow[],
  ): Reservation;
  reservationToRow(reservation: Reservation): Insertable<ReservationTable<C>>;
  reservationLinesToRows(reservation: Reservation): Insertable<ReservationLineTable<C>>[];
}

/** The reservation mappers of one engine: every integer and time goes through `codec`. */
export function createReservationMappers(codec: SqlCodec): ReservationMappers {
  const { int, time, toTime } = codec;
  const maybeTime = (value: RawTime | null) => timeOrNull(codec, value);
  const storedTime = (value: Date | null) => toTimeOrNull(codec, value);

  return {
    reservationFromRows: (row, lines) => ({
      id: row.id,
      status: row.status as ReservationStatus,
      orderId: row.order_id,
      userId: row.user_id,
      lines: lines.map(
        (line): ReservationLine => ({
          sku: line.sku,
          warehouseId: line.warehouse_id,
          quantity: int(line.quantity),
          refunded: int(line.refunded),
          ...(line.kit_sku ? { kitSku: line.kit_sku } : {}),
          committed: int(line.committed),
          released: int(line.released),
          preordered: line.preordered === undefined ? 0 : int(line.preordered),
          receiptId: line.receipt_id ?? null,
          expectedAt: maybeTime(line.expected_at ?? null),
          backordered: int(line.backordered),
        }),
      ),
      createdAt: time(row.created_at),
      expiresAt: time(row.expires_at),
      committedAt: maybeTime(row.committed_at),
      releasedAt: maybeTime(row.released_at),
      version: int(row.version),
    }),

    reservationToRow: (reservation) => ({
      id: reservation.id,
      status: reservation.status,
      order_id: reservation.orderId,
      user_id: reservation.userId,
      created_at: toTime(reservation.createdAt),
      expires_at: toTime(reservation.expiresAt),
      committed_at: storedTime(reservation.committedAt),
      released_at: storedTime(reservation.releasedAt),
      version: reservation.version,
    }),

    reservationLinesToRows: (reservation) =>
      reservation.lines.map((line, index) => ({
        reservation_id: reservation.id,
        line_no: index,
        sku: line.sku,
        warehouse_id: line.warehouseId,
        quantity: line.quantity,
        refunded: line.refunded,
        kit_sku: line.kitSku ?? null,
        committed: line.committed,
        released: line.released,
        preordered: line.preordered,
        receipt_id: line.receiptId,
        expected_at: storedTime(line.expectedAt),
        backordered: line.backordered,
      })),
  };
}
