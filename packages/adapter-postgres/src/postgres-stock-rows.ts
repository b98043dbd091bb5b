import type { InventoryStock } from '@stockroom/core';
import {
  compareStockKeys,
  type StockRows,
  type StockWrite,
  type WriteOutcome,
} from '@stockroom/core/adapter-kit';
import type { SharedRows } from '@stockroom/sql-kit';
import { sql } from 'kysely';
import { arrayLiteral } from './array-literals.js';
import { postgresKit } from './mappers.js';
import { chunk, type SchemaScope, valuesList } from './queries.js';

const { stockFromRow, stockToRow } = postgresKit.mappers;

const APPLIED: WriteOutcome = { applied: true };
const NOT_APPLIED: WriteOutcome = { applied: false };

/** Rows per guarded UPDATE: 13 parameters a row stays under PostgreSQL's 65 535. */
const GUARDED_ROWS_PER_STATEMENT = 4000;

const GUARD_COLUMNS = [
  'sku',
  'warehouse_id',
  'expected_version',
  'is_write',
  'd_available',
  'd_reserved',
  'd_damaged',
  'd_in_transit',
  'd_backordered',
  'next_version',
  'last_restocked_at',
  'last_sold_at',
  'updated_at',
] as const;
const GUARD_TYPES = [
  'text',
  'text',
  'bigint',
  'boolean',
  'bigint',
  'bigint',
  'bigint',
  'bigint',
  'bigint',
  'bigint',
  'timestamptz',
  'timestamptz',
  'timestamptz',
];

type GuardRow = readonly [
  string,
  string,
  number,
  boolean,
  number,
  number,
  number,
  number,
  number,
  number,
  Date | null,
  Date | null,
  Date,
];

function writeRow(write: StockWrite): GuardRow {
  const { before, next, deltas } = write;
  return [
    before.sku,
    before.warehouseId,
    before.version,
    true,
    deltas.available,
    deltas.reserved,
    deltas.damaged,
    deltas.inTransit,
    deltas.backordered,
    next.version,
    next.lastRestockedAt,
    next.lastSoldAt,
    next.updatedAt,
  ];
}

function unchangedRow(row: InventoryStock): GuardRow {
  return [
    row.sku,
    row.warehouseId,
    row.version,
    false,
    0,
    0,
    0,
    0,
    0,
    row.version,
    row.lastRestockedAt,
    row.lastSoldAt,
    row.updatedAt,
  ];
}

/**
 * Stock rows inside a transaction. The guarded write is the hot path: one statement that
 *  1. locks every row it names — written and `unchanged` alike — in canonical (sku,
 *     warehouse_id) order with FOR UPDATE, so two writers of overlapping rows queue instead of
 *     deadlocking (FOR SHARE on the unchanged rows plus row-exclusive locks on the written
 *     ones, taken in two passes, deadlocks as soon as two writers of one SKU write different
 *     warehouses);
 *  2. counts the locked rows still at their expected version whose quantities stay
 *     non-negative (an InitPlan, evaluated once before any row is written);
 *  3. applies `available = available + Δ` … to the written rows only when that count is every
 *     row, so a lost race writes nothing at all.
 */
export function postgresStockRows(
  scope: SchemaScope,
  settings: SharedRows['stockSettings'],
): StockRows {
  const { db } = scope;

  const guardedUpdate = async (rows: readonly GuardRow[]): Promise<number> => {
    const stock = scope.table('stock');
    const result = await sql`
      WITH ${guardValues(rows)},
      ${guardedStockUpdate(stock, rows.length)}
    `.execute(db);
    return Number(result.numAffectedRows ?? 0n);
  };

  return {
    ...settings,
    async read(skus, options = {}) {
      if (skus.length === 0) return [];
      let query = db
        .selectFrom('stock')
        .selectAll()
        // The SKUs as one array literal (a bulk chunk reads thousands): the driver's own
        // encoding of an array builds it by appending element after element.
        .where(sql<boolean>`sku = ANY(${arrayLiteral(skus, 'text')}::text[])`)
        .orderBy('sku')
        .orderBy('warehouse_id');
      if (options.lock) query = query.forUpdate();
      return (await query.execute()).map(stockFromRow);
    },

    async get(key, options = {}) {
      let query = db
        .selectFrom('stock')
        .selectAll()
        .where('sku', '=', key.sku)
        .where('warehouse_id', '=', key.warehouseId);
      if (options.lock) query = query.forUpdate();
      const row = await query.executeTakeFirst();
      return row ? stockFromRow(row) : null;
    },

    async insert(row) {
      const result = await db
        .insertInto('stock')
        .values(stockToRow(row))
        .onConflict((conflict) => conflict.columns(['sku', 'warehouse_id']).doNothing())
        .executeTakeFirst();
      return result.numInsertedOrUpdatedRows === 1n ? APPLIED : NOT_APPLIED;
    },

    async update(writes, unchanged = []) {
      const rows = guardRows(writes, unchanged);
      if (rows.length === 0) return APPLIED;
      // One statement in practice. Past 4 000 rows the chunks are each all-or-nothing, taken in
      // canonical order; a later chunk's failure leaves earlier chunks written, which the port
      // allows because the caller rolls the transaction back on `applied: false`.
      let written = 0;
      for (const part of chunk(rows, GUARDED_ROWS_PER_STATEMENT)) {
        const expected = part.filter((row) => row[3]).length;
        const count = await guardedUpdate(part);
        if (count !== expected) return NOT_APPLIED;
        written += count;
      }
      return written === writes.length ? APPLIED : NOT_APPLIED;
    },
  };
}

/** The guard rows of `stock.update`'s writes and unchanged rows, in canonical order. */
function guardRows(
  writes: readonly StockWrite[],
  unchanged: readonly InventoryStock[],
): GuardRow[] {
  return [...writes.map(writeRow), ...unchanged.map(unchangedRow)].sort((left, right) =>
    compareStockKeys(
      { sku: left[0], warehouseId: left[1] },
      { sku: right[0], warehouseId: right[1] },
    ),
  );
}

/** The `v` CTE of the guarded write: one row per stock row, named by `GUARD_COLUMNS`. */
function guardValues(rows: readonly GuardRow[]) {
  return sql`v (${sql.join(GUARD_COLUMNS.map((column) => sql.id(column)))}) AS ${valuesList(rows, GUARD_TYPES)}`;
}

/**
 * The guarded write of `writes` as CTEs of a larger statement (`writeBatch`): `v`, `locked`,
 * then `name` holding one row per row written. The write applied when `name` counts
 * `writes.length` rows; otherwise it wrote nothing (the caller rolls back).
 */
export function guardedStockWriteCtes(
  stock: ReturnType<SchemaScope['table']>,
  writes: readonly StockWrite[],
  name: string,
) {
  const rows = guardRows(writes, []);
  return sql`${guardValues(rows)}, ${lockedStockRows(stock)},
    ${sql.id(name)} AS (${guardedUpdateOfLocked(stock, rows.length)} RETURNING 1)`;
}

/**
 * The guarded stock write after its `v` CTE (one row per stock row, named by `GUARD_COLUMNS`):
 * locks the rows in (sku, warehouse_id) order, then updates the written ones only if every row of
 * `v` still has its expected version and no bucket goes negative — all `rowCount` rows or none.
 * Shared by the lane's row writes and the bulk import.
 */
export function guardedStockUpdate(stock: ReturnType<SchemaScope['table']>, rowCount: number) {
  return sql`${lockedStockRows(stock)}
      ${guardedUpdateOfLocked(stock, rowCount)}`;
}

/** The `locked` CTE: every row of `v`, locked in (sku, warehouse_id) order. */
function lockedStockRows(stock: ReturnType<SchemaScope['table']>) {
  return sql`locked AS MATERIALIZED (
        SELECT s.sku, s.warehouse_id, s.version, s.available, s.reserved, s.damaged, s.in_transit,
          s.backordered
        FROM ${stock} AS s
        WHERE (s.sku, s.warehouse_id) IN (SELECT v.sku, v.warehouse_id FROM v)
        ORDER BY s.sku, s.warehouse_id
        FOR UPDATE
      )`;
}

/** The UPDATE of the written rows of `v`, applied only when all `rowCount` rows check out. */
function guardedUpdateOfLocked(stock: ReturnType<SchemaScope['table']>, rowCount: number) {
  return sql`UPDATE ${stock} AS t SET
        available = t.available + v.d_available,
        reserved = t.reserved + v.d_reserved,
        damaged = t.damaged + v.d_damaged,
        in_transit = t.in_transit + v.d_in_transit,
        backordered = t.backordered + v.d_backordered,
        total = t.total + v.d_available + v.d_reserved + v.d_damaged + v.d_in_transit,
        version = v.next_version,
        last_restocked_at = v.last_restocked_at,
        last_sold_at = v.last_sold_at,
        updated_at = v.updated_at
      FROM v
      WHERE v.is_write
        AND t.sku = v.sku AND t.warehouse_id = v.warehouse_id
        AND t.version = v.expected_version
        AND t.available + v.d_available >= 0 AND t.reserved + v.d_reserved >= 0
        AND t.damaged + v.d_damaged >= 0 AND t.in_transit + v.d_in_transit >= 0
        AND t.backordered + v.d_backordered >= 0
        AND (
          SELECT count(*) FROM locked AS l JOIN v AS g
            ON l.sku = g.sku AND l.warehouse_id = g.warehouse_id
          WHERE l.version = g.expected_version
            AND (NOT g.is_write OR (
              l.available + g.d_available >= 0 AND l.reserved + g.d_reserved >= 0 AND
              l.damaged + g.d_damaged >= 0 AND l.in_transit + g.d_in_transit >= 0 AND
              l.backordered + g.d_backordered >= 0))
        ) = ${rowCount}`;
}
