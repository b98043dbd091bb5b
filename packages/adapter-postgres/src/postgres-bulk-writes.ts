import type { CloudEvent, InventoryStock, Movement } from '@stockroom/core';
import {
  type BulkWrites,
  compareStockKeys,
  type StockWrite,
  type WriteOutcome,
} from '@stockroom/core/adapter-kit';
import { type Insertable, sql } from 'kysely';
import { insertArrays, unnestSelect } from './array-literals.js';
import { movementToRow, outboxRowsSelect } from './mappers.js';
import { type ColumnTypes, chunk, type SchemaScope } from './queries.js';
import type { MovementTable, StockTable } from './tables.js';

const APPLIED: WriteOutcome = { applied: true };
const NOT_APPLIED: WriteOutcome = { applied: false };

/**
 * Rows per statement of the set-based writes. Every statement binds one array a column, so
 * its text and plan are the same for any size; the cut only bounds one message's size.
 */
const BULK_ROWS_PER_STATEMENT = 10_000;

const STOCK_TYPES: ColumnTypes<Insertable<StockTable>> = {
  sku: 'text',
  warehouse_id: 'text',
  available: 'bigint',
  reserved: 'bigint',
  damaged: 'bigint',
  in_transit: 'bigint',
  backordered: 'bigint',
  total: 'bigint',
  low_stock_threshold: 'bigint',
  reorder_point: 'bigint',
  max_stock_level: 'bigint',
  safety_stock: 'bigint',
  version: 'bigint',
  last_restocked_at: 'timestamptz',
  last_sold_at: 'timestamptz',
  created_at: 'timestamptz',
  updated_at: 'timestamptz',
};

const MOVEMENT_TYPES: ColumnTypes<Insertable<MovementTable>> = {
  id: 'text',
  sku: 'text',
  warehouse_id: 'text',
  type: 'text',
  delta_available: 'bigint',
  delta_reserved: 'bigint',
  delta_damaged: 'bigint',
  delta_in_transit: 'bigint',
  delta_backordered: 'bigint',
  after_available: 'bigint',
  after_reserved: 'bigint',
  after_damaged: 'bigint',
  after_in_transit: 'bigint',
  after_backordered: 'bigint',
  version: 'bigint',
  reservation_id: 'text',
  order_id: 'text',
  transfer_id: 'text',
  reference: 'text',
  idempotency_key: 'text',
  actor: 'text',
  reason: 'text',
  created_at: 'timestamptz',
};

interface GuardedRow {
  readonly sku: string;
  readonly warehouseId: string;
  readonly expectedVersion: number;
  readonly isWrite: boolean;
  readonly deltas: readonly [number, number, number, number, number];
  readonly nextVersion: number;
  readonly lastRestockedAt: Date | null;
  readonly lastSoldAt: Date | null;
  readonly updatedAt: Date;
}

const GUARD_COLUMNS: readonly [string, string][] = [
  ['sku', 'text'],
  ['warehouse_id', 'text'],
  ['expected_version', 'bigint'],
  ['is_write', 'boolean'],
  ['d_available', 'bigint'],
  ['d_reserved', 'bigint'],
  ['d_damaged', 'bigint'],
  ['d_in_transit', 'bigint'],
  ['d_backordered', 'bigint'],
  ['next_version', 'bigint'],
  ['last_restocked_at', 'timestamptz'],
  ['last_sold_at', 'timestamptz'],
  ['updated_at', 'timestamptz'],
];

function guardValue(row: GuardedRow, column: number): unknown {
  switch (column) {
    case 0:
      return row.sku;
    case 1:
      return row.warehouseId;
    case 2:
      return row.expectedVersion;
    case 3:
      return row.isWrite;
    case 4:
    case 5:
    case 6:
    case 7:
    case 8:
      return row.deltas[column - 4];
    case 9:
      return row.nextVersion;
    case 10:
      return row.lastRestockedAt;
    case 11:
      return row.lastSoldAt;
    default:
      return row.updatedAt;
  }
}

/**
 * The set-based writes of a bulk import on PostgreSQL: every statement sends its rows as one
 * array per column (`unnest`), so 10,000 rows cost one round trip and one parameter a column;
 * the arrays are encoded by `array-literals.ts`, not by the driver.
 * Runs on the transaction's connection, in the store's schema.
 */
export function postgresBulkWrites(scope: SchemaScope): BulkWrites {
  const { db } = scope;
  // Outbox order inside the transaction (see the outbox's `ordinal` column).
  let ordinal = 0;
  return {
    async insertStock(rows: readonly InventoryStock[]) {
      for (const part of chunk(rows, BULK_ROWS_PER_STATEMENT)) {
        const result = await sql`
          ${insertArrays(
            scope.table('stock'),
            STOCK_TYPES,
            part.map((row) => ({
              sku: row.sku,
              warehouse_id: row.warehouseId,
              available: row.available,
              reserved: row.reserved,
              damaged: row.damaged,
              in_transit: row.inTransit,
              backordered: row.backordered,
              total: row.total,
              low_stock_threshold: row.lowStockThreshold,
              reorder_point: row.reorderPoint,
              max_stock_level: row.maxStockLevel,
              safety_stock: row.safetyStock,
              version: row.version,
              last_restocked_at: row.lastRestockedAt,
              last_sold_at: row.lastSoldAt,
              created_at: row.createdAt,
              updated_at: row.updatedAt,
            })),
          )}
        `.execute(db);
        // No ON CONFLICT: its speculative insertion made this statement about a third slower
        // (100,000 rows: 3.8 s against 2.8 s in alternating runs). A row created concurrently
        // fails the statement with a unique violation instead, which the store turns into a
        // retryable VERSION_CONFLICT: the chunk rolls back and is retried, as with NOT_APPLIED.
        if (Number(result.numAffectedRows ?? 0n) !== part.length) return NOT_APPLIED;
      }
      return APPLIED;
    },

    async updateStock(writes: readonly StockWrite[], unchanged: readonly InventoryStock[] = []) {
      const rows: GuardedRow[] = [
        ...writes.map(({ before, next, deltas }) => ({
          sku: before.sku,
          warehouseId: before.warehouseId,
          expectedVersion: before.version,
          isWrite: true,
          deltas: [
            deltas.available,
            deltas.reserved,
            deltas.damaged,
            deltas.inTransit,
            deltas.backordered,
          ] as const,
          nextVersion: next.version,
          lastRestockedAt: next.lastRestockedAt,
          lastSoldAt: next.lastSoldAt,
          updatedAt: next.updatedAt,
        })),
        ...unchanged.map((row) => ({
          sku: row.sku,
          warehouseId: row.warehouseId,
          expectedVersion: row.version,
          isWrite: false,
          deltas: [0, 0, 0, 0, 0] as const,
          nextVersion: row.version,
          lastRestockedAt: row.lastRestockedAt,
          lastSoldAt: row.lastSoldAt,
          updatedAt: row.updatedAt,
        })),
      ].sort(compareStockKeys);
      if (rows.length === 0) return APPLIED;
      const stock = scope.table('stock');
      for (const part of chunk(rows, BULK_ROWS_PER_STATEMENT)) {
        const expected = part.filter((row) => row.isWrite).length;
        // Locks every named row in canonical order, counts those still at their expected
        // version with non-negative results, and writes only when that is all of them (the
        // same guard as the row-by-row update, with the rows sent as arrays).
        const result = await sql`
          WITH v AS (${unnestSelect(GUARD_COLUMNS, part, guardValue)}),
          ${guardedBulkUpdate(stock, part.length)}
        `.execute(db);
        if (Number(result.numAffectedRows ?? 0n) !== expected) return NOT_APPLIED;
      }
      return APPLIED;
    },

    async appendMovements(movements: readonly Movement[]) {
      for (const part of chunk(movements, BULK_ROWS_PER_STATEMENT)) {
        await insertArrays(
          scope.table('movements'),
          MOVEMENT_TYPES,
          part.map(movementToRow),
        ).execute(db);
      }
    },

    async appendEvents(events: readonly CloudEvent[]) {
      for (const part of chunk(events, BULK_ROWS_PER_STATEMENT)) {
        const first = ordinal;
        ordinal += part.length;
        await sql`
          INSERT INTO ${scope.table('outbox')} (event_id, subject, type, event, event_time, ordinal)
          ${outboxRowsSelect(part, first)}
        `.execute(db);
      }
    },
  };
}

/**
 * The guarded stock write of a bulk chunk: the same guard as the lane's `guardedStockUpdate`
 * (lock every named row in (sku, warehouse_id) order, write only when every row still has its
 * expected version and no bucket goes negative), but the written rows are found by the physical
 * address of the locked row (`ctid`, a TID scan each) instead of a join on the key: with
 * thousands of rows in `v` PostgreSQL hashed the whole stock table for that join in every chunk
 * (180 of 245 ms for 2,000 rows in a 100,000-row table), so a re-import grew with the table.
 * A locked row cannot move before this statement writes it; a row that moved anyway fails the
 * version guard and the chunk is retried, never written twice. The key is compared as well: on a
 * partitioned table a `ctid` is unique only within its partition.
 */
function guardedBulkUpdate(stock: ReturnType<SchemaScope['table']>, rowCount: number) {
  return sql`locked AS MATERIALIZED (
        SELECT s.ctid AS row_id, s.sku, s.warehouse_id, s.version,
          s.available, s.reserved, s.damaged, s.in_transit, s.backordered
        FROM ${stock} AS s
        WHERE (s.sku, s.warehouse_id) IN (SELECT v.sku, v.warehouse_id FROM v)
        ORDER BY s.sku, s.warehouse_id
        FOR UPDATE
      ),
      checked AS MATERIALIZED (
        SELECT l.row_id, g.*,
          l.version = g.expected_version AND (NOT g.is_write OR (
            l.available + g.d_available >= 0 AND l.reserved + g.d_reserved >= 0 AND
            l.damaged + g.d_damaged >= 0 AND l.in_transit + g.d_in_transit >= 0 AND
            l.backordered + g.d_backordered >= 0)) AS fits
        FROM locked AS l JOIN v AS g ON l.sku = g.sku AND l.warehouse_id = g.warehouse_id
      )
      UPDATE ${stock} AS t SET
        available = t.available + c.d_available,
        reserved = t.reserved + c.d_reserved,
        damaged = t.damaged + c.d_damaged,
        in_transit = t.in_transit + c.d_in_transit,
        backordered = t.backordered + c.d_backordered,
        total = t.total + c.d_available + c.d_reserved + c.d_damaged + c.d_in_transit,
        version = c.next_version,
        last_restocked_at = c.last_restocked_at,
        last_sold_at = c.last_sold_at,
        updated_at = c.updated_at
      FROM checked AS c
      WHERE t.ctid = c.row_id AND c.is_write
        AND t.sku = c.sku AND t.warehouse_id = c.warehouse_id
        AND t.version = c.expected_version
        AND (SELECT count(*) FROM checked AS f WHERE f.fits) = ${rowCount}`;
}
