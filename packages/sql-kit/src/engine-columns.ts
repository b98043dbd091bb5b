import type { ColumnType } from 'kysely';
import type { EngineColumns } from './tables.js';

// The two engines' column types, next to their codecs (codec.ts) so the pair stays in step.

/**
 * PostgreSQL through pg: `bigint` reads as text (pg parses int8 only with a global type parser,
 * which the adapter never installs on a pool it was given; typed `string | number` so filters
 * take numbers); `timestamptz` reads as a Date.
 */
export interface PostgresColumns extends EngineColumns {
  readonly int: ColumnType<string | number, number, number>;
  readonly nullableInt: ColumnType<string | number | null, number | null, number | null>;
  readonly time: ColumnType<Date, Date, Date>;
  readonly nullableTime: ColumnType<Date | null, Date | null, Date | null>;
  readonly idList: string[];
}

/** SQLite through better-sqlite3: `INTEGER` is a number; times are integer Unix milliseconds. */
export interface SqliteColumns extends EngineColumns {
  readonly int: number;
  readonly nullableInt: number | null;
  readonly time: number;
  readonly nullableTime: number | null;
  readonly idList: string;
}
