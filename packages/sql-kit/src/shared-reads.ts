import { pageLimit, type StoreReads } from '@stockroom/core/adapter-kit';
import { type Expression, type Kysely, type SqlBool, sql } from 'kysely';
import type { SqlCodec } from './codec.js';
import { pageOf, positionOf, timeKeysetPage } from './keyset-page.js';
import type { RowMappers } from './mappers.js';
import type { KitTables } from './tables.js';

/** The reads written once for both stores. */
export type SharedReads = Pick<
  StoreReads,
  | 'stockBySku'
  | 'stockByWarehouse'
  | 'allStock'
  | 'lowStock'
  | 'activeHolds'
  | 'waitingBackorderUnits'
  | 'movements'
  | 'ledger'
  | 'warehouse'
  | 'warehouses'
  | 'occupancies'
  | 'transfer'
  | 'transfers'
  | 'alerts'
  | 'idempotencyRecord'
  | 'outboxLag'
>;

/** What differs between engines in the shared reads. */
export interface SharedReadsDialect {
  /**
   * `column` in a filter where the engine must not pick the column's own index (SQLite: unary
   * plus, so the ledger's `until` filter leaves the planner on the ledger index).
   */
  readonly unindexed: (column: string) => Expression<unknown>;
}

/** The kysely, codec and mappers one engine's shared queries run with. */
export interface KitContext {
  /** The store's kysely (or transaction), seen through the kit's table types. */
  readonly db: Kysely<KitTables>;
  readonly codec: SqlCodec;
  readonly mappers: RowMappers;
}

/**
 * The store reads both engines run as the same SQL. Reads outside transactions: each store
 * decides where they run (pg: the replica when one is configured; SQLite: the read connection).
 */
export function sharedReads(context: KitContext, dialect: SharedReadsDialect): SharedReads {
  const { db, codec, mappers } = context;
  const stock = () => db.selectFrom('stock').selectAll();

  return {
    async stockBySku(sku) {
      const rows = await stock().where('sku', '=', sku).orderBy('warehouse_id').execute();
      return rows.map(mappers.stockFromRow);
    },

    async stockByWarehouse(warehouseId, request) {
      const limit = pageLimit(request);
      const after = positionOf(request, ['string'] as const);
      let query = stock().where('warehouse_id', '=', warehouseId);
      if (after) query = query.where('sku', '>', after[0]);
      const rows = await query
        .orderBy('sku')
        .limit(limit + 1)
        .execute();
      return pageOf(rows.map(mappers.stockFromRow), limit, (row) => [row.sku]);
    },

    async allStock(request) {
      const limit = pageLimit(request);
      const after = positionOf(request, ['string', 'string'] as const);
      let query = stock();
      if (after) {
        query = query.where((eb) =>
          eb(eb.refTuple('sku', 'warehouse_id'), '>', eb.tuple(...after)),
        );
      }
      const rows = await query
        .orderBy('sku')
        .orderBy('warehouse_id')
        .limit(limit + 1)
        .execute();
      return pageOf(rows.map(mappers.stockFromRow), limit, (row) => [row.sku, row.warehouseId]);
    },

    async lowStock(warehouseId) {
      let query = stock().whereRef('available', '<=', 'low_stock_threshold');
      if (warehouseId !== undefined) query = query.where('warehouse_id', '=', warehouseId);
      const rows = await query.orderBy('sku').orderBy('warehouse_id').execute();
      return rows.map(mappers.stockFromRow);
    },

    async activeHolds() {
      const rows = await db
        .selectFrom('reservation_lines as line')
        .innerJoin('reservations as reservation', 'reservation.id', 'line.reservation_id')
        .where('reservation.status', '=', 'ACTIVE')
        .select([
          'line.sku as sku',
          'line.warehouse_id as warehouse_id',
          // Units still held: a partial commit or release already moved the rest, and preordered
          // and backordered units are not in the row's reserved bucket.
          sql<
            string | number
          >`sum(line.quantity - line.committed - line.released - line.preordered - line.backordered)`.as(
            'quantity',
          ),
        ])
        .groupBy(['line.sku', 'line.warehouse_id'])
        .having(
          sql`sum(line.quantity - line.committed - line.released - line.preordered - line.backordered)`,
          '>',
          0,
        )
        .orderBy('line.sku')
        .orderBy('line.warehouse_id')
        .execute();
      return rows
        .map((row) => ({
          sku: row.sku,
          warehouseId: row.warehouse_id,
          quantity: codec.int(row.quantity),
        }))
        .filter((hold) => hold.quantity > 0);
    },

    async waitingBackorderUnits() {
      // The partial index on waiting lines (backordered > 0) finds them.
      const rows = await db
        .selectFrom('reservation_lines as line')
        .innerJoin('reservations as reservation', 'reservation.id', 'line.reservation_id')
        .where('line.backordered', '>', 0)
        .where('reservation.status', 'in', ['ACTIVE', 'COMMITTED'])
        .select([
          'line.sku as sku',
          'line.warehouse_id as warehouse_id',
          sql<string | number>`sum(line.backordered)`.as('quantity'),
        ])
        .groupBy(['line.sku', 'line.warehouse_id'])
        .orderBy('line.sku')
        .orderBy('line.warehouse_id')
        .execute();
      return rows.map((row) => ({
        sku: row.sku,
        warehouseId: row.warehouse_id,
        quantity: codec.int(row.quantity),
      }));
    },

    movements(filter, request) {
      let query = db.selectFrom('movements').selectAll();
      if (filter.sku !== undefined) query = query.where('sku', '=', filter.sku);
      if (filter.warehouseId !== undefined) {
        query = query.where('warehouse_id', '=', filter.warehouseId);
      }
      return timeKeysetPage(query, request, codec, {
        time: 'created_at',
        id: 'id',
        order: 'desc',
        map: mappers.movementFromRow,
        timeOf: (item) => item.createdAt,
      });
    },

    async ledger(filter, request) {
      const limit = pageLimit(request);
      let query = db.selectFrom('movements').selectAll();
      if (filter.sku !== undefined) query = query.where('sku', '=', filter.sku);
      if (filter.warehouseId !== undefined) {
        query = query.where('warehouse_id', '=', filter.warehouseId);
      }
      const until = filter.until;
      if (until !== undefined) {
        query = query.where((eb) => eb(dialect.unindexed('created_at'), '<=', codec.toTime(until)));
      }
      const after = positionOf(request, ['string', 'string', 'integer'] as const);
      if (after) {
        const [sku, warehouseId, version] = after;
        // Compare only the columns the filter leaves open, so the ledger index is sought
        // straight to the cursor instead of scanning the SKU's ledger from its start each page.
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
      return pageOf(rows.map(mappers.movementFromRow), limit, (item) => [
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
      return row ? mappers.warehouseFromRow(row) : null;
    },

    async warehouses(request) {
      const limit = pageLimit(request);
      const after = positionOf(request, ['string'] as const);
      let query = db.selectFrom('warehouses').selectAll();
      if (after) query = query.where('id', '>', after[0]);
      const rows = await query
        .orderBy('id')
        .limit(limit + 1)
        .execute();
      return pageOf(rows.map(mappers.warehouseFromRow), limit, (item) => [item.id]);
    },

    async occupancies() {
      const rows = await db
        .selectFrom('warehouses as warehouse')
        .leftJoin('stock', 'stock.warehouse_id', 'warehouse.id')
        .select((eb) => [
          'warehouse.id as id',
          eb.fn.coalesce(eb.fn.sum<string | number>('stock.total'), eb.lit(0)).as('occupancy'),
        ])
        .groupBy('warehouse.id')
        .orderBy('warehouse.id')
        .execute();
      return new Map(rows.map((row) => [row.id, codec.int(row.occupancy)]));
    },

    async transfer(id) {
      const row = await db
        .selectFrom('transfers')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return row ? mappers.transferFromRow(row) : null;
    },

    transfers(filter, request) {
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
      return timeKeysetPage(query, request, codec, {
        time: 'created_at',
        id: 'id',
        order: 'desc',
        map: mappers.transferFromRow,
        timeOf: (item) => item.createdAt,
      });
    },

    alerts(filter, request) {
      let query = db.selectFrom('low_stock_alerts').selectAll();
      if (filter.status !== undefined) query = query.where('status', '=', filter.status);
      return timeKeysetPage(query, request, codec, {
        time: 'triggered_at',
        id: 'id',
        order: 'desc',
        map: mappers.alertFromRow,
        timeOf: (item) => item.triggeredAt,
      });
    },

    async idempotencyRecord(scope, key) {
      const row = await db
        .selectFrom('idempotency_keys')
        .selectAll()
        .where('scope', '=', scope)
        .where('key', '=', key)
        .executeTakeFirst();
      return row ? mappers.idempotencyFromRow(row) : null;
    },

    async outboxLag() {
      const row = await db
        .selectFrom('outbox')
        .select((eb) => [
          eb.fn.countAll<string | number>().as('pending'),
          eb.fn.min('event_time').as('oldest'),
        ])
        .executeTakeFirstOrThrow();
      return {
        pending: codec.int(row.pending),
        oldest: row.oldest === null ? null : codec.time(row.oldest),
      };
    },
  };
}

/** The column itself: engines whose planner needs no hint. */
export const plainColumn = (column: string): Expression<unknown> => sql.ref(column);

/** `+column`: SQLite's way to keep the planner off the column's own index. */
export const unaryPlusColumn = (column: string): Expression<unknown> =>
  sql<SqlBool>`+${sql.ref(column)}`;
