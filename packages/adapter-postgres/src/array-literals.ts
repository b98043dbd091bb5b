import { type RawBuilder, sql } from 'kysely';

// Rows sent as one array literal per column, encoded here instead of by the driver.
//
// The driver turns a JavaScript array into an array literal value by value (`prepareValue`):
// about 0.4 µs a number and 2.5 µs a `Date` (formatted as local time with its offset), so the
// 17 columns of 100,000 stock rows cost over a second of the import's process time. Here a
// number is `String(n)`, a text is quoted only as the literal needs, and a time travels as
// epoch milliseconds that PostgreSQL turns back into a timestamptz exactly (cheaper on its
// side, too, than parsing the time's text).

/** Quotes `text` as an element of an array literal. */
function quoted(text: string): string {
  return `"${/["\\]/.test(text) ? text.replace(/["\\]/g, '\\$&') : text}"`;
}

function millisecondsOf(value: unknown): number {
  return value instanceof Date ? value.getTime() : new Date(value as string | number).getTime();
}

function elementOf(value: unknown, type: string): string {
  switch (type) {
    case 'timestamptz':
      return String(millisecondsOf(value));
    case 'boolean':
      return value ? 't' : 'f';
    case 'bigint':
    case 'integer':
      return String(value);
    default:
      return quoted(String(value));
  }
}

/**
 * The text of a PostgreSQL array literal of `values` (null and undefined as NULL) for a column
 * of `type`; a `timestamptz` column's literal holds epoch milliseconds (a `bigint[]`, see
 * {@link unnestSelect}).
 */
export function arrayLiteral(values: readonly unknown[], type: string): string {
  return literalOf(values, type, (value) => value);
}

/**
 * The array literal of `pick(row)` over `rows`, without an array of the values in between. The
 * elements are joined once: appending them to a string one by one made a cons string per element
 * that the flattening copied again (30 % of a streamed import's allocated bytes, sampled).
 */
function literalOf<Row>(rows: readonly Row[], type: string, pick: (row: Row) => unknown): string {
  const last = rows.length - 1;
  if (last < 0) return '{}';
  const elements = new Array<string>(rows.length);
  for (let index = 0; index <= last; index += 1) {
    const value = pick(rows[index]!);
    elements[index] = value === null || value === undefined ? 'NULL' : elementOf(value, type);
  }
  // The braces go on the first and last elements, so `join` makes the whole literal flat: a
  // `{…}` around the joined text would be a cons string that the driver flattens into a copy.
  elements[0] = `{${elements[0]}`;
  elements[last] = `${elements[last]}}`;
  return elements.join(',');
}

/**
 * `SELECT a, b, … FROM unnest($1::ta[], $2::tb[], …) AS u (a, b, …)` over `rows`, one array
 * literal per column (`pick(row, column)` gives a row's value of the column at that index);
 * `timestamptz` columns travel as epoch milliseconds and are selected back as timestamptz.
 */
export function unnestSelect<Row>(
  columns: readonly (readonly [name: string, type: string])[],
  rows: readonly Row[],
  pick: (row: Row, column: number) => unknown,
): RawBuilder<unknown> {
  const arrays = columns.map(([, type], column) => {
    const literal = literalOf(rows, type, (row) => pick(row, column));
    const sent = type === 'timestamptz' ? 'bigint' : type;
    return sql`${literal}::${sql.raw(sent)}[]`;
  });
  const selected = columns.map(([name, type]) => {
    const column = sql.ref(`u.${name}`);
    // Whole seconds through the float8 `to_timestamp` (exact), the milliseconds as an interval.
    return type === 'timestamptz'
      ? sql`to_timestamp((${column} / 1000)::float8) + (${column} % 1000) * interval '1 millisecond' AS ${sql.id(name)}`
      : column;
  });
  return sql`SELECT ${sql.join(selected)} FROM unnest(${sql.join(arrays)})
    AS u (${sql.join(columns.map(([name]) => sql.id(name)))})`;
}

/**
 * `INSERT INTO table (a, b, …) SELECT … FROM unnest(…)`: like `insertUnnest`, with the arrays
 * encoded by {@link unnestSelect}.
 */
export function insertArrays<Row extends object>(
  table: RawBuilder<unknown>,
  types: { readonly [Column in keyof Row]-?: string },
  rows: readonly Row[],
): RawBuilder<unknown> {
  const columns = (Object.keys(types) as (keyof Row & string)[]).map(
    (column) => [column, types[column]] as const,
  );
  return sql`INSERT INTO ${table} (${sql.join(columns.map(([column]) => sql.id(column)))})
    ${unnestSelect(columns, rows, (row, index) => row[columns[index]![0]])}`;
}
