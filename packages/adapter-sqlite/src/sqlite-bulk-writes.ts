import type { CloudEvent, InventoryStock, Movement } from '@stockroom/core';
import type { BulkWrites, StockWrite, WriteOutcome } from '@stockroom/core/adapter-kit';
import { isTimeImplied } from '@stockroom/sql-kit';
import { storedEventJson, toMillis, toMillisOrNull } from './mappers.js';
import type { SqliteDatabase, SqliteStatement } from './sqlite-dialect.js';

const APPLIED: WriteOutcome = { applied: true };
const NOT_APPLIED: WriteOutcome = { applied: false };

const STOCK_COLUMNS = [
  'sku',
  'warehouse_id',
  'available',
  'reserved',
  'damaged',
  'in_transit',
  'backordered',
  'total',
  'low_stock_threshold',
  'reorder_point',
  'max_stock_level',
  'safety_stock',
  'version',
  'last_restocked_at',
  'last_sold_at',
  'created_at',
  'updated_at',
] as const;

const MOVEMENT_COLUMNS = [
  'id',
  'sku',
  'warehouse_id',
  'type',
  'delta_available',
  'delta_reserved',
  'delta_damaged',
  'delta_in_transit',
  'delta_backordered',
  'after_available',
  'after_reserved',
  'after_damaged',
  'after_in_transit',
  'after_backordered',
  'version',
  'reservation_id',
  'order_id',
  'transfer_id',
  'reference',
  'idempotency_key',
  'actor',
  'reason',
  'created_at',
] as const;

const placeholders = (count: number) => Array.from({ length: count }, () => '?').join(', ');

interface BulkStatements {
  readonly insertStock: SqliteStatement;
  readonly readVersion: SqliteStatement;
  readonly updateStock: SqliteStatement;
  readonly insertMovement: SqliteStatement;
  readonly insertEvent: SqliteStatement;
}

// Prepared once per connection: a bulk import runs these statements hundreds of thousands of times.
const prepared = new WeakMap<SqliteDatabase, BulkStatements>();

function statementsOf(database: SqliteDatabase): BulkStatements {
  let statements = prepared.get(database);
  if (statements === undefined) {
    statements = {
      insertStock: database.prepare(
        `INSERT INTO stock (${STOCK_COLUMNS.join(', ')}) VALUES (${placeholders(STOCK_COLUMNS.length)})
         ON CONFLICT DO NOTHING`,
      ),
      readVersion: database.prepare('SELECT version FROM stock WHERE sku = ? AND warehouse_id = ?'),
      updateStock: database.prepare(
        `UPDATE stock SET available = ?, reserved = ?, damaged = ?, in_transit = ?, backordered = ?,
           total = ?, version = ?, last_restocked_at = ?, last_sold_at = ?, updated_at = ?
         WHERE sku = ? AND warehouse_id = ? AND version = ?`,
      ),
      insertMovement: database.prepare(
        `INSERT INTO movements (${MOVEMENT_COLUMNS.join(', ')}) VALUES (${placeholders(MOVEMENT_COLUMNS.length)})`,
      ),
      insertEvent: database.prepare(
        'INSERT INTO outbox (event_id, event, event_time) VALUES (?, ?, ?)',
      ),
    };
    prepared.set(database, statements);
  }
  return statements;
}

interface StoredVersion {
  readonly version: number;
}

/**
 * The set-based writes of a bulk import on SQLite: prepared statements run back to back on the
 * write connection, inside the transaction the store opened on it (BEGIN IMMEDIATE holds the
 * write lock, so no other writer interleaves), without building a query per row.
 */
export function sqliteBulkWrites(database: SqliteDatabase): BulkWrites {
  const statements = () => statementsOf(database);
  return {
    async insertStock(rows: readonly InventoryStock[]) {
      const { insertStock } = statements();
      for (const row of rows) {
        // Bound in STOCK_COLUMNS order, straight from the row: a mapped row object and an
        // argument array per row were a tenth of a 100,000-row import's allocations.
        const result = insertStock.run(
          row.sku,
          row.warehouseId,
          row.available,
          row.reserved,
          row.damaged,
          row.inTransit,
          row.backordered,
          row.total,
          row.lowStockThreshold,
          row.reorderPoint,
          row.maxStockLevel,
          row.safetyStock,
          row.version,
          toMillisOrNull(row.lastRestockedAt),
          toMillisOrNull(row.lastSoldAt),
          toMillis(row.createdAt),
          toMillis(row.updatedAt),
        );
        // A row that exists already was created concurrently: the caller rolls back.
        if (result.changes !== 1) return NOT_APPLIED;
      }
      return APPLIED;
    },

    async updateStock(writes: readonly StockWrite[], unchanged: readonly InventoryStock[] = []) {
      const { readVersion, updateStock } = statements();
      // The unchanged rows are checked first; each written row is guarded by its own UPDATE
      // (`version = ?`; the new quantities were computed from that version, and the CHECK
      // constraints refuse a negative one). A lost race returns `applied: false` and the caller
      // rolls the transaction back, so rows written before it are never committed.
      for (const row of unchanged) {
        const [stored] = readVersion.all(row.sku, row.warehouseId) as StoredVersion[];
        if (!stored || stored.version !== row.version) return NOT_APPLIED;
      }
      for (const { before, next } of writes) {
        const result = updateStock.run(
          next.available,
          next.reserved,
          next.damaged,
          next.inTransit,
          next.backordered,
          next.total,
          next.version,
          toMillisOrNull(next.lastRestockedAt),
          toMillisOrNull(next.lastSoldAt),
          toMillis(next.updatedAt),
          before.sku,
          before.warehouseId,
          before.version,
        );
        if (result.changes !== 1) return NOT_APPLIED;
      }
      return APPLIED;
    },

    async appendMovements(movements: readonly Movement[]) {
      const { insertMovement } = statements();
      for (const movement of movements) {
        const { deltas, after } = movement;
        // Bound in MOVEMENT_COLUMNS order, straight from the movement (see insertStock).
        insertMovement.run(
          movement.id,
          movement.sku,
          movement.warehouseId,
          movement.type,
          deltas.available,
          deltas.reserved,
          deltas.damaged,
          deltas.inTransit,
          deltas.backordered,
          after.available,
          after.reserved,
          after.damaged,
          after.inTransit,
          after.backordered,
          movement.version,
          movement.reservationId,
          movement.orderId,
          movement.transferId,
          movement.reference,
          movement.idempotencyKey,
          movement.actor,
          movement.reason,
          toMillis(movement.createdAt),
        );
      }
    },

    async appendEvents(events: readonly CloudEvent[]) {
      const { insertEvent } = statements();
      // The events of one change share their time: its text is parsed and checked once.
      let time: string | undefined;
      let millis = 0;
      let keepTime = false;
      for (const event of events) {
        if (event.time !== time) {
          time = event.time;
          millis = Date.parse(time);
          keepTime = !isTimeImplied(time, millis);
        }
        insertEvent.run(event.id, storedEventJson(event, keepTime), millis);
      }
    },
  };
}
