import type { CloudEvent, Reservation } from '@stockroom/core';
import type { OutboxEntry } from '@stockroom/core/adapter-kit';
import {
  kitFor,
  type PostgresColumns,
  postgresCodec,
  type ReservationLineRow,
} from '@stockroom/sql-kit';
import type { Insertable, Selectable } from 'kysely';
import type { Database, OutboxTable } from './tables.js';

// Row ↔ domain mapping: the shared tables map through the SQL kit over pg's codec (int8 as
// text, timestamptz as Date); the outbox and the aggregated reservation row are this store's.

/** The kit bound to pg's value codec. */
export const postgresKit = kitFor<PostgresColumns>(postgresCodec);

/** The row mappers the bulk import and the reservation reads use by name. */
export const { movementToRow, reservationFromRows } = postgresKit.mappers;

/** int8 and numeric come back as strings; every quantity fits a double exactly (≤ 2^53). */
export const toNumber = postgresCodec.int;

/** A reservation header joined with its lines (aggregated to JSON, in line order). */
export type ReservationRow = Selectable<Database['reservations']> & {
  readonly lines: readonly ReservationLineRow[] | null;
};

/** A reservation header with its aggregated lines → domain. */
export function reservationFromRow(row: ReservationRow): Reservation {
  return reservationFromRows(row, row.lines ?? []);
}

/** An outbox row with its ordering key, as the claim query selects it. */
export type OutboxRow = Pick<
  Selectable<OutboxTable>,
  'event_id' | 'event' | 'attempts' | 'enqueued_us' | 'ordinal'
>;

/** The outbox position: zero-padded so that string order is the claim order. */
export function outboxPosition(row: OutboxRow): string {
  return `${row.enqueued_us.padStart(17, '0')}.${String(row.ordinal).padStart(6, '0')}.${row.event_id}`;
}

export function outboxEntryFromRow(row: OutboxRow): OutboxEntry {
  return {
    position: outboxPosition(row),
    event: (typeof row.event === 'string' ? JSON.parse(row.event) : row.event) as CloudEvent,
    attempts: row.attempts,
  };
}

export function outboxToRow(event: CloudEvent, ordinal: number): Insertable<OutboxTable> {
  return {
    event_id: event.id,
    subject: event.subject,
    type: event.type,
    event: JSON.stringify(event),
    event_time: new Date(event.time),
    ordinal,
  };
}
