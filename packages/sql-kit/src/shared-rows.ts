import { type LowStockAlert, type StockKey, stockKeyOf, type Warehouse } from '@stockroom/core';
import type {
  AlertRows,
  IdempotencyRows,
  OutboxRows,
  StockRows,
  TransferRows,
  WarehouseRows,
} from '@stockroom/core/adapter-kit';
import type { SelectQueryBuilder } from 'kysely';
import type { KitContext } from './shared-reads.js';
import type { KitTables, RawInt } from './tables.js';
import { chunks, distinct, inOrderOf, outcome } from './write-outcome.js';

/** Columns of a `low_stock_alerts` row (parameters per alert of a multi-row insert). */
const ALERT_COLUMNS = 10;

// The row writes both engines run as the same SQL, inside a store transaction. What only one
// engine does (the guarded stock write, the reservation path's batched statements, the outbox
// append and claim) stays in its store.

/** What differs between engines in the shared row writes. */
export interface SharedRowsDialect {
  /**
   * Whether `lock` reads take row locks (`FOR UPDATE`). SQLite has none and needs none: its
   * transactions hold the database's single write lock from their first statement.
   */
  readonly rowLocks: boolean;
}

/** The shared members of one transaction's `StockTransaction`. */
export interface SharedRows {
  readonly idempotency: Omit<IdempotencyRows, 'putMany'>;
  readonly warehouses: WarehouseRows;
  readonly transfers: TransferRows;
  readonly alerts: AlertRows;
  /** Stock settings and occupancy; the guarded quantity write is each store's own. */
  readonly stockSettings: Pick<StockRows, 'updateSettings' | 'occupancy'>;
  /** Outbox delivery bookkeeping; each store appends and claims in its own order. */
  readonly outboxDelivery: Pick<OutboxRows, 'markDelivered' | 'markFailed'>;
}

/** The shared row writes over one transaction (`context.db` is the transaction). */
export function sharedRows(context: KitContext, dialect: SharedRowsDialect): SharedRows {
  const { db, codec, mappers } = context;
  const locked = <TB extends keyof KitTables, O>(
    query: SelectQueryBuilder<KitTables, TB, O>,
    lock: boolean | undefined,
  ) => (lock && dialect.rowLocks ? query.forUpdate() : query);

  const idempotency: SharedRows['idempotency'] = {
    async get(scope, key) {
      const row = await db
        .selectFrom('idempotency_keys')
        .selectAll()
        .where('scope', '=', scope)
        .where('key', '=', key)
        .executeTakeFirst();
      return row ? mappers.idempotencyFromRow(row) : null;
    },

    async put(record) {
      // A concurrent put of the same key waits for the other transaction, then does nothing.
      const result = await db
        .insertInto('idempotency_keys')
        .values(mappers.idempotencyToRow(record))
        .onConflict((conflict) => conflict.columns(['scope', 'key']).doNothing())
        .executeTakeFirst();
      return outcome(result.numInsertedOrUpdatedRows);
    },

    async replace(record) {
      const result = await db
        .updateTable('idempotency_keys')
        .set({ fingerprint: record.fingerprint, result: record.result })
        .where('scope', '=', record.scope)
        .where('key', '=', record.key)
        .executeTakeFirst();
      return outcome(result.numUpdatedRows);
    },

    async remove(scope, key) {
      await db
        .deleteFrom('idempotency_keys')
        .where('scope', '=', scope)
        .where('key', '=', key)
        .execute();
    },

    async purge(before) {
      const result = await db
        .deleteFrom('idempotency_keys')
        .where('created_at', '<', codec.toTime(before))
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };

  const warehouses: WarehouseRows = {
    async get(ids, options = {}) {
      const found: Warehouse[] = [];
      // Locks are taken in id order, so two transactions locking overlapping sets queue.
      for (const part of chunks(distinct(ids).sort())) {
        const query = db.selectFrom('warehouses').selectAll().where('id', 'in', part).orderBy('id');
        found.push(...(await locked(query, options.lock).execute()).map(mappers.warehouseFromRow));
      }
      return inOrderOf(ids, found);
    },

    async list() {
      const rows = await db.selectFrom('warehouses').selectAll().orderBy('id').execute();
      return rows.map(mappers.warehouseFromRow);
    },

    async insert(warehouse) {
      const result = await db
        .insertInto('warehouses')
        .values(mappers.warehouseToRow(warehouse))
        .onConflict((conflict) => conflict.column('id').doNothing())
        .executeTakeFirst();
      return outcome(result.numInsertedOrUpdatedRows);
    },

    async update(next, expectedVersion) {
      const { id: _id, created_at: _created, ...fields } = mappers.warehouseToRow(next);
      const result = await db
        .updateTable('warehouses')
        .set(fields)
        .where('id', '=', next.id)
        .where('version', '=', expectedVersion)
        .executeTakeFirst();
      return outcome(result.numUpdatedRows);
    },
  };

  const transfers: TransferRows = {
    async get(id, options = {}) {
      const query = db.selectFrom('transfers').selectAll().where('id', '=', id);
      const row = await locked(query, options.lock).executeTakeFirst();
      return row ? mappers.transferFromRow(row) : null;
    },

    async insert(transfer) {
      await db.insertInto('transfers').values(mappers.transferToRow(transfer)).execute();
    },

    async update(next, expectedVersion) {
      const { id: _id, created_at: _created, ...fields } = mappers.transferToRow(next);
      const result = await db
        .updateTable('transfers')
        .set(fields)
        .where('id', '=', next.id)
        .where('version', '=', expectedVersion)
        .executeTakeFirst();
      return outcome(result.numUpdatedRows);
    },
  };

  const alerts: AlertRows = {
    async findOpen(keys: readonly StockKey[]) {
      const wanted = new Set(keys.map(stockKeyOf));
      const found: LowStockAlert[] = [];
      for (const part of chunks(distinct(keys.map((key) => key.sku)))) {
        const rows = await db
          .selectFrom('low_stock_alerts')
          .selectAll()
          // Written exactly as the partial unique index's WHERE, so both engines can use it.
          .where('status', '<>', 'RESOLVED')
          .where('sku', 'in', part)
          .orderBy('sku')
          .orderBy('warehouse_id')
          .execute();
        for (const row of rows) {
          const alert = mappers.alertFromRow(row);
          if (wanted.has(stockKeyOf(alert))) found.push(alert);
        }
      }
      return found;
    },

    async get(id) {
      const row = await db
        .selectFrom('low_stock_alerts')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return row ? mappers.alertFromRow(row) : null;
    },

    async insert(alert) {
      // No conflict target: the partial unique index (one open alert per row) is the conflict.
      const result = await db
        .insertInto('low_stock_alerts')
        .values(mappers.alertToRow(alert))
        .onConflict((conflict) => conflict.doNothing())
        .executeTakeFirst();
      return outcome(result.numInsertedOrUpdatedRows);
    },

    async insertMany(many) {
      const inserted = new Set<string>();
      for (const part of chunks(many, ALERT_COLUMNS)) {
        const rows = await db
          .insertInto('low_stock_alerts')
          .values(part.map(mappers.alertToRow))
          .onConflict((conflict) => conflict.doNothing())
          .returning('id')
          .execute();
        for (const row of rows) inserted.add(row.id);
      }
      return many.map((alert) => inserted.has(alert.id));
    },

    async update(alert) {
      const { id: _id, ...fields } = mappers.alertToRow(alert);
      await db.updateTable('low_stock_alerts').set(fields).where('id', '=', alert.id).execute();
    },
  };

  const stockSettings: SharedRows['stockSettings'] = {
    async updateSettings(key, settings, now) {
      const result = await db
        .updateTable('stock')
        .set({
          low_stock_threshold: settings.lowStockThreshold,
          reorder_point: settings.reorderPoint,
          max_stock_level: settings.maxStockLevel,
          safety_stock: settings.safetyStock,
          updated_at: codec.toTime(now),
        })
        .where('sku', '=', key.sku)
        .where('warehouse_id', '=', key.warehouseId)
        .executeTakeFirst();
      return outcome(result.numUpdatedRows);
    },

    async occupancy(warehouseId) {
      const row = await db
        .selectFrom('stock')
        .select((eb) => eb.fn.coalesce(eb.fn.sum<RawInt>('total'), eb.lit(0)).as('occupancy'))
        .where('warehouse_id', '=', warehouseId)
        .executeTakeFirstOrThrow();
      return codec.int(row.occupancy);
    },
  };

  const outboxDelivery: SharedRows['outboxDelivery'] = {
    async markDelivered(eventIds) {
      for (const part of chunks(distinct(eventIds))) {
        await db.deleteFrom('outbox').where('event_id', 'in', part).execute();
      }
    },

    async markFailed(eventIds) {
      for (const part of chunks(distinct(eventIds))) {
        await db
          .updateTable('outbox')
          .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
          .where('event_id', 'in', part)
          .execute();
      }
    },
  };

  return { idempotency, warehouses, transfers, alerts, stockSettings, outboxDelivery };
}
