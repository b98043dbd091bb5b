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

/**
 * Rows one multi-row INSERT of the ledger or the outbox writes. One statement per row cost a
 * call into the driver, a reset and, for a movement, the `type IN (…)` CHECK's lookup table
 * built again; 50 rows a statement cut a 100,000-row import's process CPU by about a tenth, and
 * 100 were no better. The rows that do not fill a statement go one by one.
 */
export const ROWS_PER_INSERT = 50;

/**
 * `INSERT OR FAIL` of `rows` rows. Multi-row statements under the default ABORT need a
 * statement journal (a temporary file once it grows), so that a failing row can undo the rows
 * before it; a failed write rolls the whole chunk's transaction back anyway, so FAIL (keep the
 * rows before it, then stop with the same error) needs none. Stock rows stay one a statement:
 * their foreign key needs the statement journal whatever the conflict clause.
 */
const insertRows = (table: string, columns: readonly string[], rows: number) =>
  `INSERT OR FAIL INTO ${table} (${columns.join(', ')}) VALUES ${Array.from(
    { length: rows },
    () => `(${placeholders(columns.length)})`,
  ).join(', ')}`;

const EVENT_COLUMNS = ['event_id', 'event', 'event_time'] as const;

/**
 * A multi-row INSERT and its one-row form, with their argument arrays: filled in place for
 * each statement (the driver copies what it binds), so no array is made per row.
 */
interface RowInsert {
  readonly many: SqliteStatement;
  readonly one: SqliteStatement;
  readonly manyArguments: unknown[];
  readonly oneArguments: unknown[];
}

function rowInsert(database: SqliteDatabase, table: string, columns: readonly string[]): RowInsert {
  return {
    many: database.prepare(insertRows(table, columns, ROWS_PER_INSERT)),
    one: database.prepare(insertRows(table, columns, 1)),
    manyArguments: new Array<unknown>(ROWS_PER_INSERT * columns.length),
    oneArguments: new Array<unknown>(columns.length),
  };
}

/**
 * Inserts `items`, ROWS_PER_INSERT a statement and the rest one by one; `bind` writes an
 * item's values, in the statement's column order, into `target` from `at`.
 */
function insertAll<T>(
  insert: RowInsert,
  items: readonly T[],
  bind: (target: unknown[], at: number, item: T) => void,
  width: number,
): void {
  const { many, one, manyArguments, oneArguments } = insert;
  const whole = items.length - (items.length % ROWS_PER_INSERT);
  let index = 0;
  while (index < whole) {
    for (let at = 0; at < manyArguments.length; at += width) {
      bind(manyArguments, at, items[index] as T);
      index += 1;
    }
    many.run(manyArguments);
  }
  for (; index < items.length; index += 1) {
    bind(oneArguments, 0, items[index] as T);
    one.run(oneArguments);
  }
}

/** A movement's values in MOVEMENT_COLUMNS order, straight from the movement. */
function bindMovement(target: unknown[], at: number, movement: Movement): void {
  const { deltas, after } = movement;
  target[at] = movement.id;
  target[at + 1] = movement.sku;
  target[at + 2] = movement.warehouseId;
  target[at + 3] = movement.type;
  target[at + 4] = deltas.available;
  target[at + 5] = deltas.reserved;
  target[at + 6] = deltas.damaged;
  target[at + 7] = deltas.inTransit;
  target[at + 8] = deltas.backordered;
  target[at + 9] = after.available;
  target[at + 10] = after.reserved;
  target[at + 11] = after.damaged;
  target[at + 12] = after.inTransit;
  target[at + 13] = after.backordered;
  target[at + 14] = movement.version;
  target[at + 15] = movement.reservationId;
  target[at + 16] = movement.orderId;
  target[at + 17] = movement.transferId;
  target[at + 18] = movement.reference;
  target[at + 19] = movement.idempotencyKey;
  target[at + 20] = movement.actor;
  target[at + 21] = movement.reason;
  target[at + 22] = toMillis(movement.createdAt);
}

interface BulkStatements {
  readonly insertStock: SqliteStatement;
  readonly readVersion: SqliteStatement;
  readonly updateStock: SqliteStatement;
  readonly insertMovements: RowInsert;
  readonly insertEvents: RowInsert;
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
      insertMovements: rowInsert(database, 'movements', MOVEMENT_COLUMNS),
      insertEvents: rowInsert(database, 'outbox', EVENT_COLUMNS),
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
export function sqliteBulkWrites(database: SqliteDatabase, onWrite?: () => void): BulkWrites {
  const statements = () => {
    onWrite?.();
    return statementsOf(database);
  };
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
      insertAll(statements().insertMovements, movements, bindMovement, MOVEMENT_COLUMNS.length);
    },

    async appendEvents(events: readonly CloudEvent[]) {
      // The events of one change share their time: its text is parsed and checked once.
      let time: string | undefined;
      let millis = 0;
      let keepTime = false;
      insertAll(
        statements().insertEvents,
        events,
        (target, at, event: CloudEvent) => {
          if (event.time !== time) {
            time = event.time;
            millis = Date.parse(time);
            keepTime = !isTimeImplied(time, millis);
          }
          target[at] = event.id;
          target[at + 1] = storedEventJson(event, keepTime);
          target[at + 2] = millis;
        },
        EVENT_COLUMNS.length,
      );
    },
  };
}
