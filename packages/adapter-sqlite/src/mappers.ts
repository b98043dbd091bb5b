import type { CloudEvent } from '@stockroom/core';
import type { OutboxEntry } from '@stockroom/core/adapter-kit';
import { kitFor, type SqliteColumns, sqliteCodec } from '@stockroom/sql-kit';

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

/** Outbox positions are zero-padded so they also sort as text, as the memory store's do. */
export function outboxEntryFromRow(row: {
  position: number;
  event: string;
  attempts: number;
}): OutboxEntry {
  return {
    position: String(row.position).padStart(16, '0'),
    event: JSON.parse(row.event) as CloudEvent,
    attempts: row.attempts,
  };
}
