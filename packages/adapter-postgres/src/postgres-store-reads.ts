import type { Page, PageRequest } from '@stockroom/core';
import {
  decodeCursorAs,
  encodeCursor,
  pageLimit,
  type StoreReads,
} from '@stockroom/core/adapter-kit';
import { sql } from 'kysely';
import {
  alertFromRow,
  idempotencyFromRow,
  movementFromRow,
  reservationFromRow,
  stockFromRow,
  toNumber,
  transferFromRow,
  warehouseFromRow,
} from './mappers.js';
import { postgresHistoryReads } from './postgres-history.js';
import { type SchemaScope, selectReservations } from './queries.js';

type CursorPart = string | number;

const PART_KINDS = { s: 'string', n: 'integer', t: 'time' } as const;

/**
 * Decodes a cursor of `types` (s: string, n: integer, t: ISO time → Date), or undefined. The
 * core checks every part (a time PostgreSQL cannot store, a NUL, an unsafe integer) before it
 * can reach SQL.
 */
function positionOf(
  request: PageRequest,
  types: string,
): Array<string | number | Date> | undefined {
  if (!request.cursor) return undefined;
  const kinds = [...types].map((type) => PART_KINDS[type as keyof typeof PART_KINDS]);
  return decodeCursorAs(request.cursor, kinds);
}

/** Serves one keyset page from `limit + 1` fetched rows. */
function pageOf<T>(rows: readonly T[], limit: number, key: (item: T) => CursorPart[]): Page<T> {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return {
    items,
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor(key(last)) : null,
  };
}

const iso = (date: Date) => date.toISOString();

/**
 * Reads outside transactions, in autocommit mode on `scope` — the read replica when one is
 * configured, so they may lag the primary by the replica's delay. Paging is keyset on the sort
 * key the port documents, with the shared cursor encoding of the core.
 */
export function postgresStoreReads(scope: SchemaScope): StoreReads {
  const { db } = scope;
  const stock = () => db.selectFrom('stock').selectAll();

  return {
    ...postgresHistoryReads(scope),

    async stockBySku(sku) {
      const rows = await stock().where('sku', '=', sku).orderBy('warehouse_id').execute();
      return rows.map(stockFromRow);
    },

    async stockBySkus(skus) {
      if (skus.length === 0) return [];
      const rows = await stock()
        .where(sql<boolean>`sku = ANY(${[...skus]}::text[])`)
        .orderBy('sku')
        .orderBy('warehouse_id')
        .execute();
      return rows.map(stockFromRow);
    },

    async stockByWarehouse(warehouseId, request) {
      const limit = pageLimit(request);
      const after = positionOf(request, 's');
      let query = stock().where('warehouse_id', '=', warehouseId);
      if (after) query = query.where('sku', '>', after[0] as string);
      const rows = await query
        .orderBy('sku')
        .limit(limit + 1)
        .execute();
      return pageOf(rows.map(stockFromRow), limit, (row) => [row.sku]);
    },

    async allStock(request) {
      const limit = pageLimit(request);
      const after = positionOf(request, 'ss');
      let query = stock();
      if (after) {
        query = query.where((eb) =>
          eb(
            eb.refTuple('sku', 'warehouse_id'),
            '>',
            eb.tuple(after[0] as string, after[1] as string),
          ),
        );
      }
      const rows = await query
        .orderBy('sku')
        .orderBy('warehouse_id')
        .limit(limit + 1)
        .execute();
      return pageOf(rows.map(stockFromRow), limit, (row) => [row.sku, row.warehouseId]);
    },

    async lowStock(warehouseId) {
      let query = stock().where(sql<boolean>`available <= low_stock_threshold`);
      if (warehouseId !== undefined) query = query.where('warehouse_id', '=', warehouseId);
      const rows = await query.orderBy('sku').orderBy('warehouse_id').execute();
      return rows.map(stockFromRow);
    },

    async reservation(id) {
      const row = await selectReservations(db).where('r.id', '=', id).executeTakeFirst();
      return row ? reservationFromRow(row) : null;
    },

    async activeHolds() {
      const rows = await db
        .selectFrom('reservation_lines as l')
        .innerJoin('reservations as r', 'r.id', 'l.reservation_id')
        .select(['l.sku', 'l.warehouse_id', sql<string>`sum(l.quantity)`.as('quantity')])
        .where('r.status', '=', 'ACTIVE')
        .groupBy(['l.sku', 'l.warehouse_id'])
        .orderBy('l.sku')
        .orderBy('l.warehouse_id')
        .execute();
      return rows.map((row) => ({
        sku: row.sku,
        warehouseId: row.warehouse_id,
        quantity: toNumber(row.quantity),
      }));
    },

    async reservationsByStatus(status, request) {
      const limit = pageLimit(request);
      const after = positionOf(request, 'ts');
      let query = selectReservations(db).where('r.status', '=', status);
      if (after) {
        query = query.where((eb) =>
          eb(
            eb.refTuple('r.created_at', 'r.id'),
            '>',
            eb.tuple(after[0] as Date, after[1] as string),
          ),
        );
      }
      const rows = await query
        .orderBy('r.created_at')
        .orderBy('r.id')
        .limit(limit + 1)
        .execute();
      return pageOf(rows.map(reservationFromRow), limit, (item) => [iso(item.createdAt), item.id]);
    },

    async movements(filter, request) {
      const limit = pageLimit(request);
      const before = positionOf(request, 'ts');
      let query = db.selectFrom('movements').selectAll();
      if (filter.sku !== undefined) query = query.where('sku', '=', filter.sku);
      if (filter.warehouseId !== undefined)
        query = query.where('warehouse_id', '=', filter.warehouseId);
      if (before) {
        query = query.where((eb) =>
          eb(
            eb.refTuple('created_at', 'id'),
            '<',
            eb.tuple(before[0] as Date, before[1] as string),
          ),
        );
      }
      const rows = await query
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit + 1)
        .execute();
      return pageOf(rows.map(movementFromRow), limit, (item) => [iso(item.createdAt), item.id]);
    },

    async ledger(filter, request) {
      const limit = pageLimit(request);
      const after = positionOf(request, 'ssn');
      let query = db.selectFrom('movements').selectAll();
      if (filter.sku !== undefined) query = query.where('sku', '=', filter.sku);
      if (filter.warehouseId !== undefined)
        query = query.where('warehouse_id', '=', filter.warehouseId);
      if (filter.until !== undefined) query = query.where('created_at', '<=', filter.until);
      if (after) {
        query = query.where((eb) =>
          eb(
            eb.refTuple('sku', 'warehouse_id', 'version'),
            '>',
            eb.tuple(after[0] as string, after[1] as string, after[2] as number),
          ),
        );
      }
      const rows = await query
        .orderBy('sku')
        .orderBy('warehouse_id')
        .orderBy('version')
        .limit(limit + 1)
        .execute();
      return pageOf(rows.map(movementFromRow), limit, (item) => [
        item.sku,
        item.warehouseId,
        item.version,
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

    async warehouses(request) {
      const limit = pageLimit(request);
      const after = positionOf(request, 's');
      let query = db.selectFrom('warehouses').selectAll();
      if (after) query = query.where('id', '>', after[0] as string);
      const rows = await query
        .orderBy('id')
        .limit(limit + 1)
        .execute();
      return pageOf(rows.map(warehouseFromRow), limit, (item) => [item.id]);
    },

    async occupancies() {
      const [warehouses, sums] = await Promise.all([
        db.selectFrom('warehouses').select('id').execute(),
        db
          .selectFrom('stock')
          .select(['warehouse_id', sql<string>`sum(total)`.as('occupancy')])
          .groupBy('warehouse_id')
          .execute(),
      ]);
      const result = new Map<string, number>(warehouses.map((row) => [row.id, 0]));
      for (const row of sums) result.set(row.warehouse_id, toNumber(row.occupancy));
      return result;
    },

    async transfer(id) {
      const row = await db
        .selectFrom('transfers')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return row ? transferFromRow(row) : null;
    },

    async transfers(filter, request) {
      const limit = pageLimit(request);
      const before = positionOf(request, 'ts');
      let query = db.selectFrom('transfers').selectAll();
      if (filter.status !== undefined) query = query.where('status', '=', filter.status);
      if (filter.warehouseId !== undefined) {
        const warehouseId = filter.warehouseId;
        query = query.where((eb) =>
          eb.or([
            eb('from_warehouse_id', '=', warehouseId),
            eb('to_warehouse_id', '=', warehouseId),
          ]),
        );
      }
      if (before) {
        query = query.where((eb) =>
          eb(
            eb.refTuple('created_at', 'id'),
            '<',
            eb.tuple(before[0] as Date, before[1] as string),
          ),
        );
      }
      const rows = await query
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit + 1)
        .execute();
      return pageOf(rows.map(transferFromRow), limit, (item) => [iso(item.createdAt), item.id]);
    },

    async alerts(filter, request) {
      const limit = pageLimit(request);
      const before = positionOf(request, 'ts');
      let query = db.selectFrom('low_stock_alerts').selectAll();
      if (filter.status !== undefined) query = query.where('status', '=', filter.status);
      if (before) {
        query = query.where((eb) =>
          eb(
            eb.refTuple('triggered_at', 'id'),
            '<',
            eb.tuple(before[0] as Date, before[1] as string),
          ),
        );
      }
      const rows = await query
        .orderBy('triggered_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit + 1)
        .execute();
      return pageOf(rows.map(alertFromRow), limit, (item) => [iso(item.triggeredAt), item.id]);
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

    async idempotencyRecords(keys) {
      if (keys.length === 0) return [];
      const rows = await db
        .selectFrom('idempotency_keys')
        .selectAll()
        .where(
          sql<boolean>`(scope, key) IN (SELECT * FROM unnest(${keys.map((item) => item.scope)}::text[], ${keys.map((item) => item.key)}::text[]))`,
        )
        .execute();
      return rows.map(idempotencyFromRow);
    },

    async outboxLag() {
      const row = await db
        .selectFrom('outbox')
        .select([
          sql<string>`count(*)`.as('pending'),
          sql<Date | null>`min(event_time)`.as('oldest'),
        ])
        .executeTakeFirstOrThrow();
      return { pending: toNumber(row.pending), oldest: row.oldest };
    },
  };
}
