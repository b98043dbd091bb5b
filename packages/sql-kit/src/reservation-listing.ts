import {
  type Page,
  type PageRequest,
  type ReservationFilter,
  ReservationStatus,
} from '@stockroom/core';
import { type Expression, type SelectQueryBuilder, type SqlBool, sql } from 'kysely';
import type { SqlCodec } from './codec.js';
import { type TimeKeyed, timeKeysetPage } from './keyset-page.js';

// The reservation listing both stores run: the filter as one condition over `reservations AS r`,
// then the (created_at, id) keyset, newest first. The SKU and warehouse filters select the
// reservation ids from the lines (`IN`, a semi-join) so the planner may start from the lines'
// (sku, warehouse_id, reservation_id) index for a rare SKU, or walk reservations newest first and
// probe each one's lines by primary key for a common one (migration 0010's indexes).

/** Every reservation status, for the condition that lets an expiry range use `reservations_due`. */
const EVERY_STATUS = Object.values(ReservationStatus);

/** How one store runs the listing: its codec, its lines table (schema-qualified where needed). */
export interface ReservationListingOptions<R, T extends TimeKeyed> {
  readonly codec: SqlCodec;
  /** `reservation_lines`, as the query must name it. */
  readonly linesTable: Expression<unknown>;
  /**
   * `r.id` as the SKU/warehouse condition tests it (`r.id IN (…)`). SQLite passes `+r.id` for a
   * SKU or warehouse with many lines: the planner then walks reservations newest first and tests
   * each against the id set, instead of fetching and sorting every matching reservation (its
   * statistics cannot tell a hot SKU from a rare one). @default r.id
   */
  readonly reservationId?: Expression<unknown>;
  /**
   * Whether an expiry range without a status filter also states `status IN (every status)`, so
   * that a planner with statistics (PostgreSQL) may search the range in `reservations_due`
   * (status, expires_at, id) and choose between that and the newest-first walk by cost. SQLite
   * leaves it off: without statistics it would always take the range and sort it, where the walk
   * of (created_at, id) is O(page) when expiry follows creation. @default false
   */
  readonly expiryByStatus?: boolean;
  /** Maps a fetched row. */
  readonly map: (row: R) => T;
  /** The item's creation time, for the next cursor. */
  readonly createdAtOf: (item: T) => Date;
}

/** The SKU and warehouse conditions over `reservation_lines AS l`, ANDed; undefined when none. */
export function reservationLineConditions(
  filter: ReservationFilter,
): Expression<SqlBool> | undefined {
  const conditions = [];
  if (filter.sku !== undefined) conditions.push(sql`l.sku = ${filter.sku}`);
  if (filter.warehouseId !== undefined) {
    conditions.push(sql`l.warehouse_id = ${filter.warehouseId}`);
  }
  return conditions.length === 0 ? undefined : sql<SqlBool>`${sql.join(conditions, sql` AND `)}`;
}

/** Every condition of `filter` over `reservations AS r`, ANDed; undefined when there is none. */
export function reservationConditions(
  filter: ReservationFilter,
  codec: SqlCodec,
  linesTable: Expression<unknown>,
  reservationId: Expression<unknown> = sql.ref('r.id'),
  expiryByStatus = false,
): Expression<SqlBool> | undefined {
  const conditions = [];
  if (filter.status !== undefined) {
    conditions.push(sql`r.status = ${filter.status}`);
  } else if (
    expiryByStatus &&
    (filter.expiresFrom !== undefined || filter.expiresTo !== undefined)
  ) {
    // Always true; it makes an expiry range an index condition of `reservations_due` (status,
    // expires_at, id), one descent per status: there is no index on expires_at alone (0012).
    conditions.push(sql`r.status IN (${sql.join(EVERY_STATUS.map((status) => sql.lit(status)))})`);
  }
  if (filter.orderId !== undefined) conditions.push(sql`r.order_id = ${filter.orderId}`);
  const ranges = [
    ['created_at', '>=', filter.createdFrom],
    ['created_at', '<', filter.createdTo],
    ['expires_at', '>=', filter.expiresFrom],
    ['expires_at', '<', filter.expiresTo],
  ] as const;
  for (const [column, operator, bound] of ranges) {
    if (bound !== undefined) {
      conditions.push(sql`${sql.ref(`r.${column}`)} ${sql.raw(operator)} ${codec.toTime(bound)}`);
    }
  }
  // A reservation expires after it is created (a TTL is at least a second and extensions only
  // move expiry later), so `expiresTo` bounds creation too. Said explicitly, it lets the newest-
  // first walk of (created_at, id) start at that bound: expiry follows creation closely, which
  // the planner cannot know, and without it a past expiry window was walked to from the newest
  // reservation.
  if (filter.expiresTo !== undefined) {
    conditions.push(sql`r.created_at < ${codec.toTime(filter.expiresTo)}`);
  }
  const lines = reservationLineConditions(filter);
  if (lines) {
    conditions.push(
      sql`${reservationId} IN (SELECT l.reservation_id FROM ${linesTable} AS l WHERE ${lines})`,
    );
  }
  return conditions.length === 0 ? undefined : sql<SqlBool>`${sql.join(conditions, sql` AND `)}`;
}

/**
 * One page of reservations matching `filter`, newest first by (created_at, id). `query` selects
 * from `reservations AS r` (with whatever else the store reads along, such as the lines).
 * @throws VALIDATION_FAILED when the cursor is not a reservation listing's
 */
export function reservationListPage<DB, TB extends keyof DB, R, T extends TimeKeyed>(
  query: SelectQueryBuilder<DB, TB, R>,
  filter: ReservationFilter,
  request: PageRequest,
  options: ReservationListingOptions<R, T>,
): Promise<Page<T>> {
  const condition = reservationConditions(
    filter,
    options.codec,
    options.linesTable,
    options.reservationId,
    options.expiryByStatus,
  );
  return timeKeysetPage(condition ? query.where(condition) : query, request, options.codec, {
    time: 'r.created_at',
    id: 'r.id',
    order: 'desc',
    map: options.map,
    timeOf: options.createdAtOf,
  });
}
