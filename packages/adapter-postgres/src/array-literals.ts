import { type RawBuilder, sql } from 'kysely';

// Rows sent as one array literal per column, encoded here instead of by the driver.
//
// The driver turns a JavaScript array into an array literal value by value (`prepareValue`):
// about 0.4 µs a number and 2.5 µs a `Date` (formatted as local time with its offset), so the
// 17 columns of 100,000 stock rows cost over a second of the import's process time. Here a
// number is `String(n)`, a text is quoted only as the literal needs, and a time travels as
// epoch milliseconds that PostgreSQL turns back into a timestamptz exactly (cheaper on its
// side, too, than parsing the time's text).
//
// The literal is built from the rows themselves, one column at a time (`ArrayColumn.pick`):
// no row object per row made only to be read column by column, and no array of the values.

/**
 * One column of rows sent as an array: its name, its PostgreSQL type (`text`, `bigint`,
 * `integer`, `boolean` or `timestamptz`; any other is sent as quoted text) and a row's value
 * (null or undefined for SQL NULL).
 */
export interface ArrayColumn<Row> {
  readonly name: string;
  readonly type: string;
  readonly pick: (row: Row) => unknown;
}

/**
 * A text of printable characters other than the delimiter, braces, quote and backslash: no
 * white space and no control character (`!`, `#`–`+`, `-`–`[`, `]`–`z`, `|`, `~`, U+0080 on).
 */
const BARE = /^[\x21\x23-\x2b\x2d-\x5b\x5d-\x7a\x7c\x7e\u0080-\uffff]+$/;
const NULL_TEXT = /^null$/i;

/**
 * Whether `text` can stand in an array literal as it is: not empty, not `NULL` in any case,
 * and without a delimiter, brace, quote, backslash, white space or control character. Most
 * elements (SKUs, ids, ISO times, movement types) are such texts, and then cost no new string.
 * (One regular expression: faster here than a loop over the characters.)
 */
function isBare(text: string): boolean {
  return BARE.test(text) && (text.length !== 4 || !NULL_TEXT.test(text));
}

/** `text` as an element of an array literal: as it is where it can, else quoted and escaped. */
function textElement(text: string): string {
  if (isBare(text)) return text;
  return `"${/["\\]/.test(text) ? text.replace(/["\\]/g, '\\$&') : text}"`;
}

function millisecondsOf(value: unknown): number {
  return value instanceof Date ? value.getTime() : new Date(value as string | number).getTime();
}

/**
 * The elements of one column over `rows`, into `elements`. One loop per kind of value, so no
 * element goes through a switch on the column's type; a time or a text repeated from the row
 * before (the rows of one change share their instant) reuses its element.
 */
function fillElements<Row>(
  elements: string[],
  rows: readonly Row[],
  type: string,
  pick: (row: Row) => unknown,
): void {
  const count = rows.length;
  switch (type) {
    case 'timestamptz': {
      let lastTime: unknown;
      let lastText = '';
      for (let index = 0; index < count; index += 1) {
        const value = pick(rows[index]!);
        if (value === null || value === undefined) elements[index] = 'NULL';
        else if (value === lastTime) elements[index] = lastText;
        else {
          lastText = String(millisecondsOf(value));
          lastTime = value;
          elements[index] = lastText;
        }
      }
      return;
    }
    case 'boolean':
      for (let index = 0; index < count; index += 1) {
        const value = pick(rows[index]!);
        elements[index] = value === null || value === undefined ? 'NULL' : value ? 't' : 'f';
      }
      return;
    case 'bigint':
    case 'integer':
      for (let index = 0; index < count; index += 1) {
        const value = pick(rows[index]!);
        elements[index] = value === null || value === undefined ? 'NULL' : String(value);
      }
      return;
    default: {
      // A text repeated by the next row (a chunk's movement type and reason, the rows of one
      // SKU, the events' type and time) is not checked again.
      let lastValue: unknown;
      let lastText = '';
      for (let index = 0; index < count; index += 1) {
        const value = pick(rows[index]!);
        if (value === null || value === undefined) elements[index] = 'NULL';
        else if (value === lastValue) elements[index] = lastText;
        else {
          lastText = textElement(String(value));
          lastValue = value;
          elements[index] = lastText;
        }
      }
    }
  }
}

/**
 * The array literal of `pick(row)` over `rows`, without an array of the values in between. The
 * elements are joined once: appending them to a string one by one made a cons string per element
 * that the flattening copied again (30 % of a streamed import's allocated bytes, sampled).
 * `elements` is scratch space, reused from column to column.
 */
function literalOf<Row>(
  rows: readonly Row[],
  type: string,
  pick: (row: Row) => unknown,
  elements: string[] = new Array<string>(rows.length),
): string {
  const last = rows.length - 1;
  if (last < 0) return '{}';
  elements.length = rows.length;
  fillElements(elements, rows, type, pick);
  // The braces go on the first and last elements, so `join` makes the whole literal flat: a
  // `{…}` around the joined text would be a cons string that the driver flattens into a copy.
  elements[0] = `{${elements[0]}`;
  elements[last] = `${elements[last]}}`;
  return elements.join(',');
}

/**
 * The text of a PostgreSQL array literal of `values` (null and undefined as NULL) for a column
 * of `type`; a `timestamptz` column's literal holds epoch milliseconds (a `bigint[]`, see
 * {@link unnestSelect}).
 */
export function arrayLiteral(values: readonly unknown[], type: string): string {
  return literalOf(values, type, (value) => value);
}

/** The array literal of `pick(row)` over `rows` (see {@link arrayLiteral}). */
export function arrayLiteralOf<Row>(
  rows: readonly Row[],
  type: string,
  pick: (row: Row) => unknown,
): string {
  return literalOf(rows, type, pick);
}

/**
 * The array literal of every column over `rows`, in column order: the parameters of
 * {@link unnestSelect} (and {@link insertArrays}) with these columns.
 */
export function columnLiterals<Row>(
  columns: readonly ArrayColumn<Row>[],
  rows: readonly Row[],
): string[] {
  const elements = new Array<string>(rows.length);
  return columns.map(({ type, pick }) => literalOf(rows, type, pick, elements));
}

/**
 * `SELECT a, b, … FROM unnest($1::ta[], $2::tb[], …) AS u (a, b, …)`, with `literals` (one a
 * column, see {@link columnLiterals}) as its parameters in column order; `timestamptz` columns
 * travel as epoch milliseconds and are selected back as timestamptz.
 */
export function unnestSelect<Row>(
  columns: readonly ArrayColumn<Row>[],
  literals: readonly unknown[],
): RawBuilder<unknown> {
  const arrays = columns.map(({ type }, column) => {
    const sent = type === 'timestamptz' ? 'bigint' : type;
    return sql`${literals[column]}::${sql.raw(sent)}[]`;
  });
  const selected = columns.map(({ name, type }) => {
    const column = sql.ref(`u.${name}`);
    // Whole seconds through the float8 `to_timestamp` (exact), the milliseconds as an interval.
    return type === 'timestamptz'
      ? sql`to_timestamp((${column} / 1000)::float8) + (${column} % 1000) * interval '1 millisecond' AS ${sql.id(name)}`
      : column;
  });
  return sql`SELECT ${sql.join(selected)} FROM unnest(${sql.join(arrays)})
    AS u (${sql.join(columns.map(({ name }) => sql.id(name)))})`;
}

/**
 * `INSERT INTO table (a, b, …) SELECT … FROM unnest(…)`: like `insertUnnest`, with the arrays
 * encoded by {@link columnLiterals} straight from the rows' own fields (`literals`).
 */
export function insertArrays<Row>(
  table: RawBuilder<unknown>,
  columns: readonly ArrayColumn<Row>[],
  literals: readonly unknown[],
): RawBuilder<unknown> {
  return sql`INSERT INTO ${table} (${sql.join(columns.map(({ name }) => sql.id(name)))})
    ${unnestSelect(columns, literals)}`;
}
