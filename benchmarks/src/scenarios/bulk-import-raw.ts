import { performance } from 'node:perf_hooks';
import { createStockroom } from '@stockroom/core';
import Database from 'better-sqlite3';
import type { ScenarioContext } from '../scenario.js';
import { createWarehouses } from '../seeding.js';
import { openStore, type StoreKind } from '../stores.js';

/** Rows a raw chunk writes in one transaction: the library's bulk chunk size. */
const RAW_CHUNK = 2000;

/** One imported row of the ceiling: a new stock row at `quantity`. */
export interface RawItem {
  readonly sku: string;
  readonly warehouseId: string;
  readonly quantity: number;
}

/**
 * The ceiling of a bulk import of new rows: the rows the library writes for it — one stock row,
 * one ADJUSTMENT movement and one `inventory.stock.updated` event per item, one
 * `inventory.back.in.stock` event per SKU — written by hand-made SQL into a fresh store's own
 * tables (same indexes and constraints), one transaction per chunk of 2,000 items, with nothing
 * read, checked or computed in the process. PostgreSQL: one `INSERT … SELECT FROM unnest` a
 * table (ids, keys and quantities as arrays, the constant columns as literals); SQLite: prepared
 * statements, stock rows one a statement, movements and events 50 rows a statement (as the
 * SQLite store writes them), each event without the fields its outbox row implies. Returns the
 * seconds the writes took.
 */
export async function rawImportSeconds(
  context: ScenarioContext,
  kind: Exclude<StoreKind, 'memory'>,
  items: readonly RawItem[],
): Promise<number | { readonly skipped: string }> {
  const handle = await openStore(kind, context, `bulk_raw_${kind}`);
  if ('skipped' in handle) return handle;
  try {
    await createWarehouses(createStockroom({ store: handle.store }), 3);
    const location = handle.location;
    if (location?.engine === 'postgres') return await rawPostgres(location, items);
    if (location?.engine === 'sqlite') return rawSqlite(location.filename, items);
    return { skipped: 'the store does not say where its tables are' };
  } finally {
    await handle.dispose();
  }
}

let sequence = 0;

/**
 * A time-ordered id, as the library's uuid7 ids are: random ids (uuid4) would scatter every
 * primary-key insert over the index and make the ceiling slower than the library.
 */
function orderedId(): string {
  sequence += 1;
  return `raw-${Date.now().toString(16).padStart(12, '0')}-${sequence.toString(16).padStart(10, '0')}`;
}

function chunks<T>(items: readonly T[]): T[][] {
  const parts: T[][] = [];
  for (let start = 0; start < items.length; start += RAW_CHUNK) {
    parts.push(items.slice(start, start + RAW_CHUNK));
  }
  return parts;
}

/** The SKUs of a chunk, each once, in order. */
function skusOf(part: readonly RawItem[]): string[] {
  return [...new Set(part.map((item) => item.sku))];
}

function eventJson(id: string, type: string, subject: string, time: string, data: object): string {
  return JSON.stringify({
    specversion: '1.0',
    id,
    source: 'stockroom',
    type,
    subject,
    time,
    datacontenttype: 'application/json',
    data,
  });
}

/**
 * An event as the SQLite outbox stores it: without the id and time its row's columns hold and
 * the CloudEvents constants (as the library writes it).
 */
function storedEventJson(type: string, subject: string, data: object): string {
  return JSON.stringify({ source: 'stockroom', type, subject, data });
}

async function rawPostgres(
  location: { readonly pool: import('pg').Pool; readonly schema: string },
  items: readonly RawItem[],
): Promise<number> {
  const table = (name: string) => `"${location.schema}"."${name}"`;
  const client = await location.pool.connect();
  try {
    const began = performance.now();
    let ordinal = 0;
    for (const part of chunks(items)) {
      const now = new Date();
      const time = now.toISOString();
      const skus = part.map((item) => item.sku);
      const warehouses = part.map((item) => item.warehouseId);
      const quantities = part.map((item) => item.quantity);
      const perSku = skusOf(part);
      const eventIds = [...part.map(() => orderedId()), ...perSku.map(() => orderedId())];
      const events = [
        ...part.map((item, index) =>
          eventJson(eventIds[index]!, 'inventory.stock.updated', item.sku, time, {
            sku: item.sku,
            warehouseId: item.warehouseId,
            available: item.quantity,
            reserved: 0,
            damaged: 0,
            inTransit: 0,
            total: item.quantity,
            version: 1,
          }),
        ),
        ...perSku.map((sku, index) =>
          eventJson(eventIds[part.length + index]!, 'inventory.back.in.stock', sku, time, {
            sku,
            available: 1,
          }),
        ),
      ];
      await client.query('BEGIN');
      await client.query(
        `INSERT INTO ${table('stock')} (sku, warehouse_id, available, reserved, damaged, in_transit,
           total, low_stock_threshold, reorder_point, max_stock_level, safety_stock, version,
           last_restocked_at, last_sold_at, created_at, updated_at)
         SELECT r.sku, r.warehouse_id, r.quantity, 0, 0, 0, r.quantity, 10, 0, NULL, 0, 1,
           NULL, NULL, $4, $4
         FROM unnest($1::text[], $2::text[], $3::bigint[]) AS r (sku, warehouse_id, quantity)`,
        [skus, warehouses, quantities, now],
      );
      await client.query(
        `INSERT INTO ${table('movements')} (id, sku, warehouse_id, type, delta_available,
           delta_reserved, delta_damaged, delta_in_transit, after_available, after_reserved,
           after_damaged, after_in_transit, version, reason, created_at)
         SELECT r.id, r.sku, r.warehouse_id, 'ADJUSTMENT', r.quantity, 0, 0, 0, r.quantity, 0, 0,
           0, 1, 'bulk update (set)', $5
         FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[])
           AS r (id, sku, warehouse_id, quantity)`,
        [part.map(() => orderedId()), skus, warehouses, quantities, now],
      );
      await client.query(
        // The id, subject and type beside the JSON, zipped with its elements (as the library
        // does): taking them out of each element with ->> would parse every event again.
        `INSERT INTO ${table('outbox')} (event_id, subject, type, event, event_time, ordinal)
         SELECT e.id, e.subject, e.type, e.value, $2, $3::integer + e.n::integer - 1
         FROM ROWS FROM (json_array_elements($1::json), unnest($4::text[]), unnest($5::text[]),
           unnest($6::text[])) WITH ORDINALITY AS e (value, id, subject, type, n)`,
        [
          `[${events.join(',')}]`,
          now,
          ordinal,
          eventIds,
          [...skus, ...perSku],
          [
            ...part.map(() => 'inventory.stock.updated'),
            ...perSku.map(() => 'inventory.back.in.stock'),
          ],
        ],
      );
      ordinal += events.length;
      await client.query('COMMIT');
    }
    return (performance.now() - began) / 1000;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/**
 * Rows a ledger or outbox statement of the SQLite ceiling writes, as the store writes them:
 * 50 a statement, the rest one by one.
 */
const ROWS_PER_STATEMENT = 50;

/** `VALUES` of `rows` rows of `row` each. */
const valuesOf = (row: string, rows: number) => Array.from({ length: rows }, () => row).join(', ');

const MOVEMENT_ROW = `(?, ?, ?, 'ADJUSTMENT', ?, 0, 0, 0, ?, 0, 0, 0, 1, NULL, NULL, NULL, NULL, NULL,
  NULL, 'bulk update (set)', ?)`;
const MOVEMENT_WIDTH = 6;
const EVENT_ROW = '(?, ?, ?)';
const EVENT_WIDTH = 3;

function rawSqlite(filename: string, items: readonly RawItem[]): number {
  const database = new Database(filename);
  try {
    // The store's own settings for its write connection.
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = NORMAL');
    database.pragma('foreign_keys = ON');
    database.pragma('busy_timeout = 5000');
    const insertStock = database.prepare(
      `INSERT INTO stock (sku, warehouse_id, available, reserved, damaged, in_transit, total,
         low_stock_threshold, reorder_point, max_stock_level, safety_stock, version,
         last_restocked_at, last_sold_at, created_at, updated_at)
       VALUES (?, ?, ?, 0, 0, 0, ?, 10, 0, NULL, 0, 1, NULL, NULL, ?, ?)`,
    );
    const movements = (rows: number) =>
      database.prepare(
        `INSERT OR FAIL INTO movements (id, sku, warehouse_id, type, delta_available,
           delta_reserved, delta_damaged, delta_in_transit, after_available, after_reserved,
           after_damaged, after_in_transit, version, reservation_id, order_id, transfer_id,
           reference, idempotency_key, actor, reason, created_at)
         VALUES ${valuesOf(MOVEMENT_ROW, rows)}`,
      );
    const events = (rows: number) =>
      database.prepare(
        `INSERT OR FAIL INTO outbox (event_id, event, event_time) VALUES ${valuesOf(EVENT_ROW, rows)}`,
      );
    const movementStatements = { many: movements(ROWS_PER_STATEMENT), one: movements(1) };
    const eventStatements = { many: events(ROWS_PER_STATEMENT), one: events(1) };
    /** Runs `values` (`width` a row) ROWS_PER_STATEMENT rows a statement, the rest one by one. */
    const insertAll = (
      statements: { readonly many: Database.Statement; readonly one: Database.Statement },
      values: readonly unknown[],
      width: number,
    ) => {
      const whole = values.length - (values.length % (width * ROWS_PER_STATEMENT));
      for (let at = 0; at < whole; at += width * ROWS_PER_STATEMENT) {
        statements.many.run(values.slice(at, at + width * ROWS_PER_STATEMENT));
      }
      for (let at = whole; at < values.length; at += width) {
        statements.one.run(values.slice(at, at + width));
      }
    };
    const write = database.transaction((part: readonly RawItem[]) => {
      const now = Date.now();
      const movementValues: unknown[] = [];
      const eventValues: unknown[] = [];
      for (const item of part) {
        insertStock.run(item.sku, item.warehouseId, item.quantity, item.quantity, now, now);
        movementValues.push(
          orderedId(),
          item.sku,
          item.warehouseId,
          item.quantity,
          item.quantity,
          now,
        );
        eventValues.push(
          orderedId(),
          storedEventJson('inventory.stock.updated', item.sku, {
            sku: item.sku,
            warehouseId: item.warehouseId,
            available: item.quantity,
            reserved: 0,
            damaged: 0,
            inTransit: 0,
            total: item.quantity,
            version: 1,
          }),
          now,
        );
      }
      for (const sku of skusOf(part)) {
        eventValues.push(
          orderedId(),
          storedEventJson('inventory.back.in.stock', sku, { sku, available: 1 }),
          now,
        );
      }
      insertAll(movementStatements, movementValues, MOVEMENT_WIDTH);
      insertAll(eventStatements, eventValues, EVENT_WIDTH);
    });
    const began = performance.now();
    for (const part of chunks(items)) write.immediate(part);
    return (performance.now() - began) / 1000;
  } finally {
    database.close();
  }
}
