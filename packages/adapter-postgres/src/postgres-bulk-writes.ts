import type { CloudEvent, InventoryStock, Movement } from '@stockroom/core';
import {
  type BulkWrites,
  compareStockKeys,
  type StockWrite,
  type WriteOutcome,
} from '@stockroom/core/adapter-kit';
import { CompiledQuery, type Insertable, type QueryResult, type RawBuilder, sql } from 'kysely';
import { type ArrayColumn, columnLiterals, insertArrays, unnestSelect } from './array-literals.js';
import { outboxRowsParameters, outboxRowsSelectOf } from './mappers.js';
import { chunk, type SchemaScope } from './queries.js';
import type { MovementTable, StockTable } from './tables.js';

const APPLIED: WriteOutcome = { applied: true };
const NOT_APPLIED: WriteOutcome = { applied: false };

/**
 * Rows per statement of the set-based writes. Every statement binds one array a column, so
 * its text and plan are the same for any size; the cut only bounds one message's size.
 */
const BULK_ROWS_PER_STATEMENT = 10_000;

/**
 * The columns of a table sent as arrays, each picked straight from the domain object a row is
 * written from (no row object per row in between); keyed by column, so none can be left out.
 */
function arrayColumns<Table, Row>(
  spec: {
    readonly [Column in keyof Table & string]-?: readonly [
      type: string,
      pick: (row: Row) => unknown,
    ];
  },
): readonly ArrayColumn<Row>[] {
  return Object.entries<readonly [string, (row: Row) => unknown]>(spec).map(
    ([name, [type, pick]]) => ({ name, type, pick }),
  );
}

const STOCK_COLUMNS = arrayColumns<Insertable<StockTable>, InventoryStock>({
  sku: ['text', (row) => row.sku],
  warehouse_id: ['text', (row) => row.warehouseId],
  available: ['bigint', (row) => row.available],
  reserved: ['bigint', (row) => row.reserved],
  damaged: ['bigint', (row) => row.damaged],
  in_transit: ['bigint', (row) => row.inTransit],
  backordered: ['bigint', (row) => row.backordered],
  total: ['bigint', (row) => row.total],
  low_stock_threshold: ['bigint', (row) => row.lowStockThreshold],
  reorder_point: ['bigint', (row) => row.reorderPoint],
  max_stock_level: ['bigint', (row) => row.maxStockLevel],
  safety_stock: ['bigint', (row) => row.safetyStock],
  version: ['bigint', (row) => row.version],
  last_restocked_at: ['timestamptz', (row) => row.lastRestockedAt],
  last_sold_at: ['timestamptz', (row) => row.lastSoldAt],
  created_at: ['timestamptz', (row) => row.createdAt],
  updated_at: ['timestamptz', (row) => row.updatedAt],
});

// The same columns as the kit's `movementToRow`, read from the movement itself.
const MOVEMENT_COLUMNS = arrayColumns<Insertable<MovementTable>, Movement>({
  id: ['text', (movement) => movement.id],
  sku: ['text', (movement) => movement.sku],
  warehouse_id: ['text', (movement) => movement.warehouseId],
  type: ['text', (movement) => movement.type],
  delta_available: ['bigint', (movement) => movement.deltas.available],
  delta_reserved: ['bigint', (movement) => movement.deltas.reserved],
  delta_damaged: ['bigint', (movement) => movement.deltas.damaged],
  delta_in_transit: ['bigint', (movement) => movement.deltas.inTransit],
  delta_backordered: ['bigint', (movement) => movement.deltas.backordered],
  after_available: ['bigint', (movement) => movement.after.available],
  after_reserved: ['bigint', (movement) => movement.after.reserved],
  after_damaged: ['bigint', (movement) => movement.after.damaged],
  after_in_transit: ['bigint', (movement) => movement.after.inTransit],
  after_backordered: ['bigint', (movement) => movement.after.backordered],
  version: ['bigint', (movement) => movement.version],
  reservation_id: ['text', (movement) => movement.reservationId],
  order_id: ['text', (movement) => movement.orderId],
  transfer_id: ['text', (movement) => movement.transferId],
  reference: ['text', (movement) => movement.reference],
  idempotency_key: ['text', (movement) => movement.idempotencyKey],
  actor: ['text', (movement) => movement.actor],
  reason: ['text', (movement) => movement.reason],
  created_at: ['timestamptz', (movement) => movement.createdAt],
});

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

const GUARD_COLUMNS = arrayColumns<
  {
    sku: string;
    warehouse_id: string;
    expected_version: number;
    is_write: boolean;
    d_available: number;
    d_reserved: number;
    d_damaged: number;
    d_in_transit: number;
    d_backordered: number;
    next_version: number;
    last_restocked_at: Date | null;
    last_sold_at: Date | null;
    updated_at: Date;
  },
  GuardedRow
>({
  sku: ['text', (row) => row.sku],
  warehouse_id: ['text', (row) => row.warehouseId],
  expected_version: ['bigint', (row) => row.expectedVersion],
  is_write: ['boolean', (row) => row.isWrite],
  d_available: ['bigint', (row) => row.deltas[0]],
  d_reserved: ['bigint', (row) => row.deltas[1]],
  d_damaged: ['bigint', (row) => row.deltas[2]],
  d_in_transit: ['bigint', (row) => row.deltas[3]],
  d_backordered: ['bigint', (row) => row.deltas[4]],
  next_version: ['bigint', (row) => row.nextVersion],
  last_restocked_at: ['timestamptz', (row) => row.lastRestockedAt],
  last_sold_at: ['timestamptz', (row) => row.lastSoldAt],
  updated_at: ['timestamptz', (row) => row.updatedAt],
});

/**
 * The SQL text of each bulk statement, by schema. A statement's text depends on its schema and
 * columns only (its rows travel as parameters), so kysely builds and compiles it once; later
 * runs send the same text with their own parameters. Building the nodes of an `unnest` over 23
 * columns again for every chunk (and passing them through the schema plugin) was most of the
 * query builder's share of a bulk import's process time.
 */
const statementTexts = new Map<string, string>();
/** Bounds the texts kept (a process using many schemas starts over). */
const MAX_STATEMENT_TEXTS = 256;

/**
 * Runs the statement `build` makes with `parameters` (which it must bind in the order given,
 * each once), compiling its text once per schema and `name`.
 */
function runStatement(
  scope: SchemaScope,
  name: string,
  parameters: unknown[],
  build: (parameters: readonly unknown[]) => RawBuilder<unknown>,
): Promise<QueryResult<unknown>> {
  const key = `${scope.schema}\u0000${name}`;
  let text = statementTexts.get(key);
  if (text === undefined) {
    // Compiled over markers: the text is kept only when they come back in the order given.
    const markers = parameters.map(() => ({}));
    const compiled = build(markers).compile(scope.db);
    const inOrder =
      compiled.parameters.length === markers.length &&
      compiled.parameters.every((value, index) => value === markers[index]);
    if (!inOrder) return build(parameters).execute(scope.db);
    if (statementTexts.size >= MAX_STATEMENT_TEXTS) statementTexts.clear();
    text = compiled.sql;
    statementTexts.set(key, text);
  }
  return scope.db.executeQuery(CompiledQuery.raw(text, parameters));
}

/**
 * The set-based writes of a bulk import on PostgreSQL: every statement sends its rows as one
 * array per column (`unnest`), so 10,000 rows cost one round trip and one parameter a column;
 * the arrays are encoded by `array-literals.ts`, not by the driver.
 * Runs on the transaction's connection, in the store's schema.
 */
export function postgresBulkWrites(scope: SchemaScope): BulkWrites {
  // Outbox order inside the transaction (see the outbox's `ordinal` column).
  let ordinal = 0;
  return {
    async insertStock(rows: readonly InventoryStock[]) {
      for (const part of chunk(rows, BULK_ROWS_PER_STATEMENT)) {
        const result = await runStatement(
          scope,
          'insert-stock',
          columnLiterals(STOCK_COLUMNS, part),
          (literals) => insertArrays(scope.table('stock'), STOCK_COLUMNS, literals),
        );
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
        const result = await runStatement(
          scope,
          'update-stock',
          [...columnLiterals(GUARD_COLUMNS, part), part.length],
          (parameters) => sql`
            WITH v AS (${unnestSelect(GUARD_COLUMNS, parameters)}),
            ${guardedBulkUpdate(stock, parameters[GUARD_COLUMNS.length])}
          `,
        );
        if (Number(result.numAffectedRows ?? 0n) !== expected) return NOT_APPLIED;
      }
      return APPLIED;
    },

    async appendMovements(movements: readonly Movement[]) {
      for (const part of chunk(movements, BULK_ROWS_PER_STATEMENT)) {
        await runStatement(
          scope,
          'append-movements',
          columnLiterals(MOVEMENT_COLUMNS, part),
          (literals) => insertArrays(scope.table('movements'), MOVEMENT_COLUMNS, literals),
        );
      }
    },

    async appendEvents(events: readonly CloudEvent[]) {
      for (const part of chunk(events, BULK_ROWS_PER_STATEMENT)) {
        const first = ordinal;
        ordinal += part.length;
        await runStatement(
          scope,
          'append-events',
          outboxRowsParameters(part, first),
          (parameters) => sql`
            INSERT INTO ${scope.table('outbox')} (event_id, subject, type, event, event_time, ordinal)
            ${outboxRowsSelectOf(parameters)}
          `,
        );
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
function guardedBulkUpdate(stock: ReturnType<SchemaScope['table']>, rowCount: unknown) {
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
