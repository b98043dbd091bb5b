import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { ReservationRow } from './mappers.js';
import type { Database, TableName } from './tables.js';

// Query pieces shared by the transaction and the reads.

/** A kysely instance bound to the store's schema, plus raw-SQL table references. */
export interface SchemaScope {
  /** The schema's name. */
  readonly schema: string;
  /** Query builder whose table names resolve inside the schema. */
  readonly db: Kysely<Database>;
  /** `"schema"."table"` for raw SQL. */
  table(name: TableName): RawBuilder<unknown>;
}

/** Binds `db` (a Kysely or a transaction) to `schema`. */
export function scopeOf(db: Kysely<Database>, schema: string): SchemaScope {
  return { schema, db: db.withSchema(schema), table: (name) => sql`${sql.id(schema, name)}` };
}

/**
 * PostgreSQL takes at most 65 535 bind parameters per statement; multi-row statements are cut
 * into chunks of this many rows (the widest row, a movement, has 21 columns). The `unnest`
 * inserts bind one parameter a column and are chunked only to bound a statement's size.
 */
export const ROWS_PER_STATEMENT = 1000;

/** Splits `items` into chunks of at most `size`. */
export function chunk<T>(items: readonly T[], size = ROWS_PER_STATEMENT): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size)
    chunks.push(items.slice(start, start + size));
  return chunks;
}

/**
 * `(VALUES ($1::text, $2::bigint, …), …)`: every parameter cast, so the column types of a
 * VALUES list never depend on PostgreSQL's guess for untyped parameters.
 */
export function valuesList(
  rows: readonly (readonly unknown[])[],
  types: readonly string[],
): RawBuilder<unknown> {
  return sql`(VALUES ${sql.join(
    rows.map(
      (row) =>
        sql`(${sql.join(row.map((value, index) => sql`${value}::${sql.raw(types[index]!)}`))})`,
    ),
  )})`;
}

/** The PostgreSQL type of every column a row sends, in the order the columns are written. */
export type ColumnTypes<Row> = { readonly [Column in keyof Row]-?: string };

/**
 * `INSERT INTO table (a, b, …) SELECT * FROM unnest($1::ta[], $2::tb[], …)`: the rows go as one
 * array parameter per column, so the SQL text is the same for any number of rows and binding
 * costs one parameter a column instead of one a value (a multi-row VALUES list of a 64-request
 * batch binds over a thousand parameters and is parsed afresh for every batch size).
 */
export function insertUnnest<Row extends object>(
  table: RawBuilder<unknown>,
  types: ColumnTypes<Row>,
  rows: readonly Row[],
): RawBuilder<unknown> {
  const columns = Object.keys(types) as (keyof Row & string)[];
  const arrays = columns.map(
    (column) => sql`${rows.map((row) => row[column] ?? null)}::${sql.raw(types[column])}[]`,
  );
  return sql`INSERT INTO ${table} (${sql.join(columns.map((column) => sql.id(column)))})
    SELECT * FROM unnest(${sql.join(arrays)})`;
}

/** Reservations joined with their lines (aggregated in line order), as {@link ReservationRow}. */
export function selectReservations(db: Kysely<Database>) {
  return db
    .selectFrom('reservations as r')
    .selectAll('r')
    .select((eb) =>
      eb
        .selectFrom('reservation_lines as l')
        .select(
          sql<ReservationRow['lines']>`json_agg(json_build_object(
            'sku', l.sku, 'warehouse_id', l.warehouse_id, 'quantity', l.quantity, 'refunded', l.refunded,
            'kit_sku', l.kit_sku,
            'committed', l.committed, 'released', l.released,
            'preordered', l.preordered, 'receipt_id', l.receipt_id, 'expected_at', l.expected_at,
            'backordered', l.backordered
          ) ORDER BY l.line_no)`.as('lines'),
        )
        .whereRef('l.reservation_id', '=', 'r.id')
        .as('lines'),
    );
}
