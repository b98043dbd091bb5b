import type { Page, PageRequest } from '@stockroom/core';
import {
  type CursorPart,
  type CursorValue,
  decodeCursorAs,
  encodeCursor,
  pageLimit,
} from '@stockroom/core/adapter-kit';
import { type SelectQueryBuilder, sql } from 'kysely';
import type { SqlCodec } from './codec.js';

// Keyset paging shared by both stores: a page is `limit + 1` rows after (or before) the cursor's
// position; the extra row only says whether there is a next page. Cursors encode times as ISO
// text (`toISOString()`) in every store, so a cursor reads the same whatever the engine.

/** One part of a keyset position as it goes into a cursor. */
export type KeyPart = string | number | Date;

/**
 * The position a request's cursor points at, each part checked by the core (well-formed text,
 * safe integers, storable times), or undefined on the first page.
 * @throws VALIDATION_FAILED when the cursor is not one of this read's
 */
export function positionOf<const P extends readonly CursorPart[]>(
  request: PageRequest,
  parts: P,
): { -readonly [K in keyof P]: CursorValue<P[K]> } | undefined {
  return request.cursor ? decodeCursorAs(request.cursor, parts) : undefined;
}

/** Serves one page from the `limit + 1` mapped items of a keyset query. */
export function pageOf<T>(
  items: readonly T[],
  limit: number,
  key: (item: T) => readonly KeyPart[],
): Page<T> {
  const served = items.slice(0, limit);
  const last = served[served.length - 1];
  return {
    items: served,
    nextCursor:
      items.length > limit && last !== undefined
        ? encodeCursor(key(last).map((part) => (part instanceof Date ? part.toISOString() : part)))
        : null,
  };
}

/** An item listed by (time, id): movements, transfers, alerts, reservations. */
export interface TimeKeyed {
  readonly id: string;
}

/** How a (time, id) keyset read runs: its columns, direction and mapping. */
export interface TimeKeysetOptions<R, T extends TimeKeyed> {
  /** The time column (qualified when the query joins). */
  readonly time: string;
  /** The id column. */
  readonly id: string;
  /** `desc` lists newest first (movements, transfers, alerts); `asc` oldest first. */
  readonly order: 'asc' | 'desc';
  /** Maps a fetched row. */
  readonly map: (row: R) => T;
  /** The item's time, for the next cursor. */
  readonly timeOf: (item: T) => Date;
}

/**
 * Runs one page of a query listed by (time, id), newest or oldest first: seeks past the cursor
 * with a row comparison the (time, id) index serves, fetches `limit + 1` rows, maps them and
 * cuts the page.
 * @throws VALIDATION_FAILED when the cursor is not a (time, id) cursor
 */
export async function timeKeysetPage<DB, TB extends keyof DB, R, T extends TimeKeyed>(
  query: SelectQueryBuilder<DB, TB, R>,
  request: PageRequest,
  codec: SqlCodec,
  options: TimeKeysetOptions<R, T>,
): Promise<Page<T>> {
  const limit = pageLimit(request);
  const time = sql.ref(options.time);
  const id = sql.ref(options.id);
  const position = positionOf(request, ['time', 'string'] as const);
  let paged = query;
  if (position) {
    const [at, after] = position;
    const seek = options.order === 'desc' ? sql`<` : sql`>`;
    paged = paged.where(sql<boolean>`(${time}, ${id}) ${seek} (${codec.toTime(at)}, ${after})`);
  }
  const rows = await paged
    .orderBy(time, options.order)
    .orderBy(id, options.order)
    .limit(limit + 1)
    .execute();
  return pageOf(rows.map(options.map), limit, (item) => [options.timeOf(item), item.id]);
}
