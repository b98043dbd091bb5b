import type { PostgresColumns, SharedTables } from '@stockroom/sql-kit';
import type { ColumnType, Generated } from 'kysely';

// Row types of the store's tables (snake_case, as stored). The tables both SQL stores have come
// from the SQL kit in PostgreSQL's column types (int8 read as text, timestamptz as Date); the
// outbox is this store's own.

/**
 * `outbox`: undelivered CloudEvents. Ordered by (enqueued_us, ordinal, event_id): the database
 * clock in microseconds when the row was written, then the event's place in its append.
 */
export interface OutboxTable {
  event_id: string;
  subject: string;
  type: string;
  /** The whole CloudEvent as `json` (kept byte for byte, unlike `jsonb`). */
  event: ColumnType<unknown, string, string>;
  event_time: ColumnType<Date, Date, Date>;
  /** Set by the column default from `clock_timestamp()`, never by the adapter. */
  enqueued_us: Generated<string>;
  ordinal: number;
  attempts: Generated<number>;
}

/** Every table of the store, as kysely sees them (inside the configured schema). */
export interface Database extends SharedTables<PostgresColumns> {
  outbox: OutboxTable;
}

/** The name of one of the store's tables. */
export type TableName = keyof Database;

/** Row types the bulk import names. */
export type StockTable = Database['stock'];
export type MovementTable = Database['movements'];
