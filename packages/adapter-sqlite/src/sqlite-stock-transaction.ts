import { type CloudEvent, type StockKey, stockKeyOf, type Warehouse } from '@stockroom/core';
import type {
  AlertRows,
  IdempotencyRows,
  LedgerRows,
  OutboxRows,
  StockTransaction,
  TransferRows,
  WarehouseRows,
} from '@stockroom/core/adapter-kit';
import type { Kysely } from 'kysely';
import {
  alertFromRow,
  alertToRow,
  idempotencyFromRow,
  idempotencyToRow,
  movementToRow,
  outboxEntryFromRow,
  toMillis,
  transferFromRow,
  transferToRow,
  warehouseFromRow,
  warehouseToRow,
} from './mappers.js';
import { chunks, distinct, outcome } from './sql-support.js';
import { sqliteHistoryRows } from './sqlite-history.js';
import { reservationRows } from './sqlite-reservation-rows.js';
import { stockRows } from './sqlite-stock-rows.js';
import type { SqliteTables } from './tables.js';

// Every transaction runs inside BEGIN IMMEDIATE: it holds SQLite's single write lock from its
// first statement, so no other connection or process writes until it ends. That is why `lock`
// options need nothing more here, why claims skip nothing (nobody else can hold a claim), and
// why a version checked at the start of `stock.update` is still the version when it writes.

type Db = Kysely<SqliteTables>;

function ledgerRows(db: Db): LedgerRows {
  return {
    async append(movements) {
      for (const part of chunks(movements, 21)) {
        await db.insertInto('movements').values(part.map(movementToRow)).execute();
      }
    },
  };
}

function outboxRows(db: Db): OutboxRows {
  return {
    async append(events: readonly CloudEvent[]) {
      for (const part of chunks(events, 3)) {
        await db
          .insertInto('outbox')
          .values(
            part.map((event) => ({
              event_id: event.id,
              event: JSON.stringify(event),
              event_time: Date.parse(event.time),
            })),
          )
          .execute();
      }
    },

    async claim(limit) {
      const rows = await db
        .selectFrom('outbox')
        .select(['position', 'event', 'attempts'])
        .orderBy('position')
        .limit(limit)
        .execute();
      return rows.map(outboxEntryFromRow);
    },

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
}

function idempotencyRows(db: Db): IdempotencyRows {
  return {
    async get(scope, key) {
      const row = await db
        .selectFrom('idempotency_keys')
        .selectAll()
        .where('scope', '=', scope)
        .where('key', '=', key)
        .executeTakeFirst();
      return row ? idempotencyFromRow(row) : null;
    },

    async put(record) {
      const result = await db
        .insertInto('idempotency_keys')
        .values(idempotencyToRow(record))
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
        .where('created_at', '<', toMillis(before))
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

function warehouseRows(db: Db): WarehouseRows {
  return {
    async get(ids) {
      const byId = new Map<string, Warehouse>();
      for (const part of chunks(distinct(ids))) {
        const rows = await db
          .selectFrom('warehouses')
          .selectAll()
          .where('id', 'in', part)
          .execute();
        for (const row of rows) byId.set(row.id, warehouseFromRow(row));
      }
      return distinct(ids).flatMap((id) => byId.get(id) ?? []);
    },

    async list() {
      const rows = await db.selectFrom('warehouses').selectAll().orderBy('id').execute();
      return rows.map(warehouseFromRow);
    },

    async insert(warehouse) {
      const result = await db
        .insertInto('warehouses')
        .values(warehouseToRow(warehouse))
        .onConflict((conflict) => conflict.column('id').doNothing())
        .executeTakeFirst();
      return outcome(result.numInsertedOrUpdatedRows);
    },

    async update(next, expectedVersion) {
      const { id: _id, ...fields } = warehouseToRow(next);
      const result = await db
        .updateTable('warehouses')
        .set(fields)
        .where('id', '=', next.id)
        .where('version', '=', expectedVersion)
        .executeTakeFirst();
      return outcome(result.numUpdatedRows);
    },
  };
}

function transferRows(db: Db): TransferRows {
  return {
    async get(id) {
      const row = await db
        .selectFrom('transfers')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return row ? transferFromRow(row) : null;
    },

    async insert(transfer) {
      await db.insertInto('transfers').values(transferToRow(transfer)).execute();
    },

    async update(next, expectedVersion) {
      const { id: _id, ...fields } = transferToRow(next);
      const result = await db
        .updateTable('transfers')
        .set(fields)
        .where('id', '=', next.id)
        .where('version', '=', expectedVersion)
        .executeTakeFirst();
      return outcome(result.numUpdatedRows);
    },
  };
}

function alertRows(db: Db): AlertRows {
  return {
    async findOpen(keys: readonly StockKey[]) {
      const wanted = new Set(keys.map(stockKeyOf));
      const alerts = [];
      for (const part of chunks(distinct(keys.map((key) => key.sku)))) {
        const rows = await db
          .selectFrom('alerts')
          .selectAll()
          // Written exactly as the partial index's WHERE, so SQLite can use alerts_one_open.
          .where('status', '<>', 'RESOLVED')
          .where('sku', 'in', part)
          .orderBy('sku')
          .orderBy('warehouse_id')
          .execute();
        for (const row of rows) {
          const alert = alertFromRow(row);
          if (wanted.has(stockKeyOf(alert))) alerts.push(alert);
        }
      }
      return alerts;
    },

    async get(id) {
      const row = await db.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? alertFromRow(row) : null;
    },

    async insert(alert) {
      // No conflict target: the partial unique index (one open alert per row) is the conflict.
      const result = await db
        .insertInto('alerts')
        .values(alertToRow(alert))
        .onConflict((conflict) => conflict.doNothing())
        .executeTakeFirst();
      return outcome(result.numInsertedOrUpdatedRows);
    },

    async update(alert) {
      const { id: _id, ...fields } = alertToRow(alert);
      await db.updateTable('alerts').set(fields).where('id', '=', alert.id).execute();
    },
  };
}

/**
 * The {@link StockTransaction} over one kysely transaction on the write connection (opened with
 * BEGIN IMMEDIATE by the store). Guarded writes report lost races as `{ applied: false }`.
 */
export function createSqliteStockTransaction(db: Db): StockTransaction {
  return {
    stock: stockRows(db),
    reservations: reservationRows(db),
    ledger: ledgerRows(db),
    outbox: outboxRows(db),
    idempotency: idempotencyRows(db),
    warehouses: warehouseRows(db),
    transfers: transferRows(db),
    alerts: alertRows(db),
    history: sqliteHistoryRows(db),
  };
}
