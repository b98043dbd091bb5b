import type { CloudEvent, Reservation } from '@stockroom/core';
import type { OutboxEntry } from '@stockroom/core/adapter-kit';
import {
  eventFromStored,
  kitFor,
  type PostgresColumns,
  postgresCodec,
  type ReservationLineRow,
  type StoredEvent,
} from '@stockroom/sql-kit';
import { type Insertable, type RawBuilder, type Selectable, sql } from 'kysely';
import { arrayLiteralOf } from './array-literals.js';
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
  'event_id' | 'subject' | 'type' | 'event' | 'event_time' | 'attempts' | 'enqueued_us' | 'ordinal'
>;

/** The outbox position: zero-padded so that string order is the claim order. */
export function outboxPosition(row: OutboxRow): string {
  return `${row.enqueued_us.padStart(17, '0')}.${String(row.ordinal).padStart(6, '0')}.${row.event_id}`;
}

let lastTime = '';
let lastTimeImplied = false;

/** Whether a timestamptz gives `time` back as the same text (the events of a change share it). */
function isTimeRoundTrip(time: string): boolean {
  if (time !== lastTime) {
    lastTimeImplied = new Date(time).toISOString() === time;
    lastTime = time;
  }
  return lastTimeImplied;
}

/**
 * The event as the `event` column stores it: its `source` and `data`. Left out: id, type,
 * subject and time, which the row's `event_id`, `type`, `subject` and `event_time` columns hold,
 * and `specversion` and `datacontenttype`, constants of this CloudEvents version — 40 % of an
 * `inventory.reserved` event's bytes. A time that a timestamptz would not give back as the same
 * text stays in. Built field by field: a rest destructuring of the event copied it through a
 * runtime call per event (with a `Date` made for its time, the second largest cost of a bulk
 * import's outbox rows).
 */
export function storedEvent(event: CloudEvent): StoredEvent {
  return isTimeRoundTrip(event.time)
    ? { source: event.source, data: event.data }
    : { source: event.source, data: event.data, time: event.time };
}

/** An outbox row → the event, its fields in CloudEvents order; rows stored whole read as they are. */
export function outboxEntryFromRow(row: OutboxRow): OutboxEntry {
  const stored = (typeof row.event === 'string' ? JSON.parse(row.event) : row.event) as StoredEvent;
  const event = eventFromStored(stored, {
    id: row.event_id,
    type: row.type as CloudEvent['type'],
    subject: row.subject,
    time: row.event_time.toISOString(),
  });
  return { position: outboxPosition(row), event, attempts: row.attempts };
}

/**
 * The outbox rows of `events` as one `SELECT` for an `INSERT INTO outbox (event_id, subject,
 * type, event, event_time, ordinal)`, ordinals from `first`. The stored events go as ONE JSON
 * array split by PostgreSQL (as a `text[]` every event's quotes would be escaped into an array
 * literal and unescaped again, 2.7x slower); the columns travel beside it as text arrays zipped
 * in step with its elements (`ROWS FROM`): taking them out of the JSON with `->>` parsed every
 * event four more times (2.7x this form's time for 135,000 events).
 */
export function outboxRowsSelect(
  events: readonly CloudEvent[],
  first: number,
): RawBuilder<unknown> {
  return outboxRowsSelectOf(outboxRowsParameters(events, first));
}

/** The parameters of {@link outboxRowsSelect} in the order {@link outboxRowsSelectOf} binds them. */
export function outboxRowsParameters(events: readonly CloudEvent[], first: number): unknown[] {
  const texts = (pick: (event: CloudEvent) => string) => arrayLiteralOf(events, 'text', pick);
  return [
    first,
    JSON.stringify(events.map(storedEvent)),
    texts((event) => event.id),
    texts((event) => event.subject),
    texts((event) => event.type),
    texts((event) => event.time),
  ];
}

/** {@link outboxRowsSelect} over its parameters (see {@link outboxRowsParameters}). */
export function outboxRowsSelectOf(parameters: readonly unknown[]): RawBuilder<unknown> {
  const [first, events, ids, subjects, types, times] = parameters;
  return sql`SELECT e.id, e.subject, e.type, e.value, e.time::timestamptz,
      ${first}::integer + e.n::integer - 1
    FROM ROWS FROM (
      json_array_elements(${events}::json),
      unnest(${ids}::text[]),
      unnest(${subjects}::text[]),
      unnest(${types}::text[]),
      unnest(${times}::text[])
    ) WITH ORDINALITY AS e (value, id, subject, type, time, n)`;
}

/** An event → its outbox row (`ordinal`: its place among the transaction's events). */
export function outboxToRow(event: CloudEvent, ordinal: number): Insertable<OutboxTable> {
  return {
    event_id: event.id,
    subject: event.subject,
    type: event.type,
    event: JSON.stringify(storedEvent(event)),
    event_time: new Date(event.time),
    ordinal,
  };
}
