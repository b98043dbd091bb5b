import type { InventoryStock, Page, PageRequest, StockKey } from '@stockroom/core';
import {
  decodeCursorAs,
  encodeCursor,
  pageLimit,
  type StoreReads,
} from '@stockroom/core/adapter-kit';
import { type Kysely, sql } from 'kysely';
import {
  alertFromRow,
  idempotencyFromRow,
  movementFromRow,
  stockFromRow,
  toMillis,
  transferFromRow,
  warehouseFromRow,
} from './mappers.js';
import { sqliteHistoryReads } from './sqlite-history.js';
import { withLines } from './sqlite-reservation-rows.js';
import { stockOfSkus } from './sqlite-stock-rows.js';
import type { SqliteTables } from './tables.js';

type Db = Kysely<SqliteTables>;
type Part = 'string' | 'number';
type PartValue<P extends Part> = P extends 'string' ? string : number;

/**
 * Decodes a keyset cursor and checks each part (the core's shared checks: well-formed text
 * without NUL, safe integers).
 * @throws VALIDATION_FAILED when the cursor is not one of this store's
 */
function decode<const P extends readonly Part[]>(
  cursor: string,
  parts: P,
): { [K in keyof P]: PartValue<P[K]> } {
  const values = decodeCursorAs(
    cursor,
    parts.map((part) => (part === 'string' ? 'string' : 'integer')),
  );
  return values as unknown as { [K in keyof P]: PartValue<P[K]> };
}

/** Cuts the `limit + 1` rows of a keyset query into a page and the cursor of its last item. */
function toPage<R, T>(
  rows: readonly R[],
  limit: number,
  map: (row: R) => T,
  key: (row: R) => readonly (string | number)[],
): Page<T> {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return {
    items: items.map(map),
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor(key(last)) : null,
  };
}

/**
 * Reads outside transactions. They run on the read connection (see the store: a second
 * connection in WAL mode, or the write connection between transactions) and see only committed
 * data. Reads made of several statements run in one read transaction, so they see one snapshot.
 */
export function createSqliteStoreReads(db: Db): StoreReads {
  const snapshot = <T>(work: (db: Db) => Promise<T>): Promise<T> => db.transaction().execute(work);

  return {
    ...sqliteHistoryReads(db),

    async stockBySku(sku) {
      const rows = await db
        .selectFrom('stock')
        .selectAll()
        .where('sku', '=', sku)
        .orderBy('warehouse_id')
        .execute();
      return rows.map(stockFromRow);
    },

    stockBySkus: (skus) => snapshot((transaction) => stockOfSkus(transaction, skus)),

    async stockByWarehouse(warehouseId, page: PageRequest): Promise<Page<InventoryStock>> {
      const limit = pageLimit(page);
      let query = db.selectFrom('stock').selectAll().where('warehouse_id', '=', warehouseId);
      if (page.cursor) {
        const [sku] = decode(page.cursor, ['string']);
        query = query.where('sku', '>', sku);
      }
      const rows = await query
        .orderBy('sku')
        .limit(limit + 1)
        .execute();
      return toPage(rows, limit, stockFromRow, (row) => [row.sku]);
    },

    async allStock(page) {
      const limit = pageLimit(page);
      let query = db.selectFrom('stock').selectAll();
      if (page.cursor) {
        const [sku, warehouseId] = decode(page.cursor, ['string', 'string']);
        query = query.where((eb) =>
          eb(eb.refTuple('sku', 'warehouse_id'), '>', eb.tuple(sku, warehouseId)),
        );
      }
      const rows = await query
        .orderBy('sku')
        .orderBy('warehouse_id')
        .limit(limit + 1)
        .execute();
      return toPage(rows, limit, stockFromRow, (row) => [row.sku, row.warehouse_id]);
    },

    async lowStock(warehouseId) {
      let query = db
        .selectFrom('stock')
        .selectAll()
        .whereRef('available', '<=', 'low_stock_threshold');
      if (warehouseId !== undefined) query = query.where('warehouse_id', '=', warehouseId);
      const rows = await query.orderBy('sku').orderBy('warehouse_id').execute();
      return rows.map(stockFromRow);
    },

    reservation: (id) =>
      snapshot(async (transaction) => {
        const row = await transaction
          .selectFrom('reservations')
          .selectAll()
          .where('id', '=', id)
          .executeTakeFirst();
        return row ? ((await withLines(transaction, [row]))[0] ?? null) : null;
      }),

    async activeHolds(): Promise<Array<StockKey & { readonly quantity: number }>> {
      const rows = await db
        .selectFrom('reservation_lines as line')
        .innerJoin('reservations as reservation', 'reservation.id', 'line.reservation_id')
        .where('reservation.status', '=', 'ACTIVE')
        .select((eb) => [
          'line.sku as sku',
          'line.warehouse_id as warehouse_id',
          eb.fn.sum<number>('line.quantity').as('quantity'),
        ])
        .groupBy(['line.sku', 'line.warehouse_id'])
        .orderBy('line.sku')
        .orderBy('line.warehouse_id')
        .execute();
      return rows.map((row) => ({
        sku: row.sku,
        warehouseId: row.warehouse_id,
        quantity: Number(row.quantity),
      }));
    },

    reservationsByStatus: (status, page) =>
      snapshot(async (transaction) => {
        const limit = pageLimit(page);
        let query = transaction.selectFrom('reservations').selectAll().where('status', '=', status);
        if (page.cursor) {
          const [createdAt, id] = decode(page.cursor, ['number', 'string']);
          query = query.where((eb) =>
            eb(eb.refTuple('created_at', 'id'), '>', eb.tuple(createdAt, id)),
          );
        }
        const rows = await query
          .orderBy('created_at')
          .orderBy('id')
          .limit(limit + 1)
          .execute();
        const reservations = await withLines(transaction, rows.slice(0, limit));
        const last = rows[limit - 1];
        return {
          items: reservations,
          nextCursor: rows.length > limit && last ? encodeCursor([last.created_at, last.id]) : null,
        };
      }),

    async movements(filter, page) {
      const limit = pageLimit(page);
      let query = db.selectFrom('movements').selectAll();
      if (filter.sku !== undefined) query = query.where('sku', '=', filter.sku);
      if (filter.warehouseId !== undefined)
        query = query.where('warehouse_id', '=', filter.warehouseId);
      if (page.cursor) {
        const [createdAt, id] = decode(page.cursor, ['number', 'string']);
        query = query.where((eb) =>
          eb(eb.refTuple('created_at', 'id'), '<', eb.tuple(createdAt, id)),
        );
      }
      const rows = await query
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit + 1)
        .execute();
      return toPage(rows, limit, movementFromRow, (row) => [row.created_at, row.id]);
    },

    async ledger(filter, page) {
      const limit = pageLimit(page);
      let query = db.selectFrom('movements').selectAll();
      if (filter.sku !== undefined) query = query.where('sku', '=', filter.sku);
      if (filter.warehouseId !== undefined)
        query = query.where('warehouse_id', '=', filter.warehouseId);
      const until = filter.until;
      if (until !== undefined) {
        // Unary plus: keep SQLite from picking a created_at index here and then sorting the
        // whole SKU's ledger for every page; ledger order comes from movements_ledger.
        query = query.where((eb) => eb(sql<number>`+created_at`, '<=', toMillis(until)));
      }
      if (page.cursor) {
        const [sku, warehouseId, version] = decode(page.cursor, ['string', 'string', 'number']);
        // Compare only the columns the filter leaves open, so SQLite seeks movements_ledger
        // straight to the cursor (sku = ? AND (warehouse_id, version) > (?, ?)) instead of
        // scanning the SKU's ledger from its start on every page.
        if (filter.sku !== undefined && filter.warehouseId !== undefined) {
          query = query.where('version', '>', version);
        } else if (filter.sku !== undefined) {
          query = query.where((eb) =>
            eb(eb.refTuple('warehouse_id', 'version'), '>', eb.tuple(warehouseId, version)),
          );
        } else {
          query = query.where((eb) =>
            eb(
              eb.refTuple('sku', 'warehouse_id', 'version'),
              '>',
              eb.tuple(sku, warehouseId, version),
            ),
          );
        }
      }
      const rows = await query
        .orderBy('sku')
        .orderBy('warehouse_id')
        .orderBy('version')
        .limit(limit + 1)
        .execute();
      return toPage(rows, limit, movementFromRow, (row) => [
        row.sku,
        row.warehouse_id,
        row.version,
      ]);
    },

    async warehouse(id) {
      const row = await db
        .selectFrom('warehouses')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return row ? warehouseFromRow(row) : null;
    },

    async warehouses(page) {
      const limit = pageLimit(page);
      let query = db.selectFrom('warehouses').selectAll();
      if (page.cursor) {
        const [id] = decode(page.cursor, ['string']);
        query = query.where('id', '>', id);
      }
      const rows = await query
        .orderBy('id')
        .limit(limit + 1)
        .execute();
      return toPage(rows, limit, warehouseFromRow, (row) => [row.id]);
    },

    async occupancies() {
      const rows = await db
        .selectFrom('warehouses as warehouse')
        .leftJoin('stock', 'stock.warehouse_id', 'warehouse.id')
        .select((eb) => [
          'warehouse.id as id',
          eb.fn.coalesce(eb.fn.sum<number>('stock.total'), eb.lit(0)).as('occupancy'),
        ])
        .groupBy('warehouse.id')
        .orderBy('warehouse.id')
        .execute();
      return new Map(rows.map((row) => [row.id, Number(row.occupancy)]));
    },

    async transfer(id) {
      const row = await db
        .selectFrom('transfers')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return row ? transferFromRow(row) : null;
    },

    async transfers(filter, page) {
      const limit = pageLimit(page);
      let query = db.selectFrom('transfers').selectAll();
      if (filter.status !== undefined) query = query.where('status', '=', filter.status);
      const warehouseId = filter.warehouseId;
      if (warehouseId !== undefined) {
        query = query.where((eb) =>
          eb.or([
            eb('from_warehouse_id', '=', warehouseId),
            eb('to_warehouse_id', '=', warehouseId),
          ]),
        );
      }
      if (page.cursor) {
        const [createdAt, id] = decode(page.cursor, ['number', 'string']);
        query = query.where((eb) =>
          eb(eb.refTuple('created_at', 'id'), '<', eb.tuple(createdAt, id)),
        );
      }
      const rows = await query
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit + 1)
        .execute();
      return toPage(rows, limit, transferFromRow, (row) => [row.created_at, row.id]);
    },

    async alerts(filter, page) {
      const limit = pageLimit(page);
      let query = db.selectFrom('alerts').selectAll();
      if (filter.status !== undefined) query = query.where('status', '=', filter.status);
      if (page.cursor) {
        const [triggeredAt, id] = decode(page.cursor, ['number', 'string']);
        query = query.where((eb) =>
          eb(eb.refTuple('triggered_at', 'id'), '<', eb.tuple(triggeredAt, id)),
        );
      }
      const rows = await query
        .orderBy('triggered_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit + 1)
        .execute();
      return toPage(rows, limit, alertFromRow, (row) => [row.triggered_at, row.id]);
    },

    async idempotencyRecord(scope, key) {
      const row = await db
        .selectFrom('idempotency_keys')
        .selectAll()
        .where('scope', '=', scope)
        .where('key', '=', key)
        .executeTakeFirst();
      return row ? idempotencyFromRow(row) : null;
    },

    async outboxLag() {
      const row = await db
        .selectFrom('outbox')
        .select((eb) => [
          eb.fn.countAll<number>().as('pending'),
          eb.fn.min<number | null>('event_time').as('oldest'),
        ])
        .executeTakeFirstOrThrow();
      return {
        pending: Number(row.pending),
        oldest: row.oldest === null ? null : new Date(row.oldest),
      };
    },
  };
}
