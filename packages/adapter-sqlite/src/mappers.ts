import type { CloudEvent } from '@stockroom/core';
import type { OutboxEntry } from '@stockroom/core/adapter-kit';
import {
  eventFromStored,
  kitFor,
  type SqliteColumns,
  type StoredEvent,
  sqliteCodec,
} from '@stockroom/sql-kit';

// Row ↔ domain mapping: the shared tables map through the SQL kit over SQLite's codec (times as
// integer milliseconds); the outbox row is this store's.

/** The kit bound to SQLite's value codec. */
export const sqliteKit = kitFor<SqliteColumns>(sqliteCodec);

/** The row mappers SQLite's bulk import and stock rows use by name. */
export const { movementToRow, stockToRow } = sqliteKit.mappers;

/** A Date as stored. */
export const toMillis = (date: Date): number => date.getTime();

/** A nullable Date as stored. */
export const toMillisOrNull = (date: Date | null): number | null =>
  date === null ? null : date.getTime();

/**
 * The `event` column's text: the event without `id` and `time`, which the row's `event_id` and
 * `event_time` columns hold, and without `specversion` and `datacontenttype`, constants of this
 * CloudEvents version — about a third of an `inventory.stock.updated` event's bytes, which a bulk
 * import writes once per row. `keepTime`: the time's text is not what `event_time` gives back
 * (see `isTimeImplied`), so it stays in.
 */
export function storedEventJson(event: CloudEvent, keepTime: boolean): string {
  const stored: StoredEvent = keepTime
    ? {
        source: event.source,
        type: event.type,
        subject: event.subject,
        time: event.time,
        data: event.data,
      }
    : { source: event.source, type: event.type, subject: event.subject, data: event.data };
  return JSON.stringify(stored);
}

/**
 * An outbox row → its entry: the event with its fields in CloudEvents order. A row stored whole
 * reads as it is (its own fields override the implied ones). Outbox positions are zero-padded so
 * they also sort as text, as the memory store's do.
 */
export function outboxEntryFromRow(row: {
  position: number;
  event_id: string;
  event: string;
  event_time: number;
  attempts: number;
}): OutboxEntry {
  const event = eventFromStored(JSON.parse(row.event) as StoredEvent, {
    id: row.event_id,
    time: new Date(row.event_time).toISOString(),
  });
  return {
    position: String(row.position).padStart(16, '0'),
    event,
    attempts: row.attempts,
  };
}
