import type { RawIdList, RawInt, RawTime } from './tables.js';

/**
 * How one engine's values become domain values and back: the only thing the shared mappers and
 * queries need to know about an engine's storage.
 */
export interface SqlCodec {
  /** A stored integer as a number (every quantity and version fits a double exactly, ≤ 2^53). */
  readonly int: (value: RawInt) => number;
  /** A stored time as a Date. */
  readonly time: (value: RawTime) => Date;
  /** A Date as the engine stores and compares it. */
  readonly toTime: (value: Date) => RawTime;
  /** A stored list of ids as an array. */
  readonly idList: (value: RawIdList) => string[];
  /** A list of ids as the engine stores it. */
  readonly toIdList: (ids: readonly string[]) => RawIdList;
}

/** PostgreSQL through pg: int8 and sums come back as text, timestamptz as a Date. */
export const postgresCodec: SqlCodec = Object.freeze({
  int: (value: RawInt) => (typeof value === 'number' ? value : Number(value)),
  time: (value: RawTime) => (value instanceof Date ? value : new Date(value)),
  toTime: (value: Date) => value,
  idList: (value: RawIdList) =>
    typeof value === 'string' ? (JSON.parse(value) as string[]) : [...value],
  toIdList: (ids: readonly string[]) => [...ids],
});

/** SQLite through better-sqlite3: integers are numbers, times integer Unix milliseconds. */
export const sqliteCodec: SqlCodec = Object.freeze({
  int: (value: RawInt) => (typeof value === 'number' ? value : Number(value)),
  time: (value: RawTime) => new Date(value),
  toTime: (value: Date) => value.getTime(),
  idList: (value: RawIdList) =>
    typeof value === 'string' ? (JSON.parse(value) as string[]) : [...value],
  toIdList: (ids: readonly string[]) => JSON.stringify(ids),
});

/** A nullable stored time as a Date or null. */
export function timeOrNull(codec: SqlCodec, value: RawTime | null): Date | null {
  return value === null ? null : codec.time(value);
}

/** A nullable Date as stored, or null. */
export function toTimeOrNull(codec: SqlCodec, value: Date | null): RawTime | null {
  return value === null ? null : codec.toTime(value);
}

/** A nullable stored integer as a number or null. */
export function intOrNull(codec: SqlCodec, value: RawInt | null): number | null {
  return value === null ? null : codec.int(value);
}
