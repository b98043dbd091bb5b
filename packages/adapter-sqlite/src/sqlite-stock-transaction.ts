import {
  type AlertRows,
  type CloudEvent,
  compareStockKeys,
  type IdempotencyRows,
  type InventoryStock,
  type LedgerRows,
  type OutboxRows,
  type Reservation,
  type ReservationRows,
  type StockKey,
  type StockRows,
  type StockTransaction,
  stockKeyOf,
  type TransferRows,
  VersionConflictError,
  type WarehouseRows,
  type WriteOutcome,
} from '@stockroom/core';
import { type Kysely, sql } from 'kysely';
import {
  alertFromRow,
  alertToRow,
  idempotencyFromRow,
  idempotencyToRow,
  movementToRow,
  outboxEntryFromRow,
  reservationFromRows,
  reservationLinesToRows,
  reservationToRow,
  stockFromRow,
  stockToRow,
  toMillis,
  toMillisOrNull,
  transferFromRow,
  transferToRow,
  warehouseFromRow,
  warehouseToRow,
} from './mappers.js';
import { chunks, distinct } from './sql-batches.js';
import type { ReservationTable, SqliteTables } from './tables.js';

// Every transaction runs inside BEGIN IMMEDIATE: it holds SQLite's single write lock from its
// first statement, so no other connection or process writes until it ends. That is why `lock`
// options need nothing more here, why claims skip nothing (nobody else can hold a claim), and
// why a version checked at the start of `stock.update` is still the version when it writes.

const APPLIED: WriteOutcome = { applied: true };
const NOT_APPLIED: WriteOutcome = { applied: false };

type Db = Kysely<SqliteTables>;

function outcome(changed: bigint | undefined): WriteOutcome {
  return changed === 1n ? APPLIED : NOT_APPLIED;
}

/** Loads each reservation's lines and maps them, keeping the order of `rows`. */
export async function withLines(
  db: Db,
  rows: readonly ReservationTable[],
): Promise<Reservation[]> {
  if (rows.length === 0) return [];
  const lines = new Map<string, SqliteTables['reservation_lines'][]>();
  for (const ids of chunks(distinct(rows.map((row) => row.id)))) {
    const found = await db
      .selectFrom('reservation_lines')
      .selectAll()
      .where('reservation_id', 'in', ids)
      .orderBy('reservation_id')
      .orderBy('line_no')
      .execute();
    for (const line of found) {
      const list = lines.get(line.reservation_id);
      if (list) list.push(line);
      else lines.set(line.reservation_id, [line]);
    }
  }
  return rows.map((row) => reservationFromRows(row, lines.get(row.id) ?? []));
}

/** Rows of the given SKUs, sorted by (sku, warehouseId) as the core compares them. */
export async function stockOfSkus(db: Db, skus: readonly string[]): Promise<InventoryStock[]> {
  const rows: InventoryStock[] = [];
  for (const part of chunks(distinct(skus))) {
    const found = await db.selectFrom('stock').selectAll().where('sku', 'in', part).execute();
    for (const row of found) rows.push(stockFromRow(row));
  }
  return rows.sort(compareStockKeys);
}

function stockRows(db: Db): StockRows {
  return {
    read: (skus) => stockOfSkus(db, skus),

    async get(key) {
      const row = await db
        .selectFrom('stock')
        .selectAll()
        .where('sku', '=', key.sku)
        .where('warehouse_id', '=', key.warehouseId)
        .executeTakeFirst();
      return row ? stockFromRow(row) : null;
    },

    async insert(row) {
      const result = await db
        .insertInto('stock')
        .values(stockToRow(row))
        .onConflict((conflict) => conflict.doNothing())
        .executeTakeFirst();
      return outcome(result.numInsertedOrUpdatedRows);
    },

    async update(writes, unchanged = []) {
      const expected = [...writes.map((write) => write.before), ...unchanged];
      if (expected.length === 0) return APPLIED;
      // All or nothing: check every version first, so a lost race writes nothing. A single
      // write needs no pre-check: its own guarded UPDATE is the check.
      if (expected.length > 1) {
        const stored = new Map<string, number>();
        for (const part of chunks(distinct(expected.map((row) => row.sku)))) {
          const found = await db
            .selectFrom('stock')
            .select(['sku', 'warehouse_id', 'version'])
            .where('sku', 'in', part)
            .execute();
          for (const row of found) {
            stored.set(stockKeyOf({ sku: row.sku, warehouseId: row.warehouse_id }), row.version);
          }
        }
        if (expected.some((row) => stored.get(stockKeyOf(row)) !== row.version)) {
          return NOT_APPLIED;
        }
      }
      for (const { before, next } of writes) {
        const result = await db
          .updateTable('stock')
          .set({
            available: next.available,
            reserved: next.reserved,
            damaged: next.damaged,
            in_transit: next.inTransit,
            total: next.total,
            version: next.version,
            last_restocked_at: toMillisOrNull(next.lastRestockedAt),
            last_sold_at: toMillisOrNull(next.lastSoldAt),
            updated_at: toMillis(next.updatedAt),
          })
          .where('sku', '=', before.sku)
          .where('warehouse_id', '=', before.warehouseId)
          .where('version', '=', before.version)
          .executeTakeFirst();
        if (result.numUpdatedRows !== 1n) {
          if (expected.length === 1) return NOT_APPLIED;
          // Unreachable while the write lock is held; never leave half of the writes applied.
          throw new VersionConflictError(
            `stock ${before.sku}@${before.warehouseId} moved during an update`,
            { retryable: true },
          );
        }
      }
      return APPLIED;
    },

    async updateSettings(key, settings, now) {
      const result = await db
        .updateTable('stock')
        .set({
          low_stock_threshold: settings.lowStockThreshold,
          reorder_point: settings.reorderPoint,
          max_stock_level: settings.maxStockLevel,
          updated_at: toMillis(now),
        })
        .where('sku', '=', key.sku)
        .where('warehouse_id', '=', key.warehouseId)
        .executeTakeFirst();
      return outcome(result.numUpdatedRows);
    },

    async occupancy(warehouseId) {
      const row = await db
        .selectFrom('stock')
        .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('total'), sql.lit(0)).as('occupancy'))
        .where('warehouse_id', '=', warehouseId)
        .executeTakeFirstOrThrow();
      return Number(row.occupancy);
    },
  };
}

function reservationRows(db: Db): ReservationRows {
  return {
    async get(ids) {
      const rows: ReservationTable[] = [];
      for (const part of chunks(distinct(ids))) {
        rows.push(
          ...(await db.selectFrom('reservations').selectAll().where('id', 'in', part).execute()),
        );
      }
      const byId = new Map((await withLines(db, rows)).map((item) => [item.id, item]));
      return distinct(ids).flatMap((id) => byId.get(id) ?? []);
    },

    async insert(reservations) {
      if (reservations.length === 0) return;
      for (const part of chunks(reservations, 9)) {
        await db.insertInto('reservations').values(part.map(reservationToRow)).execute();
      }
      for (const part of chunks(reservations.flatMap(reservationLinesToRows), 6)) {
        await db.insertInto('reservation_lines').values(part).execute();
      }
    },

    async update(next, expectedVersion) {
      const { id: _id, ...fields } = reservationToRow(next);
      const result = await db
        .updateTable('reservations')
        .set(fields)
        .where('id', '=', next.id)
        .where('version', '=', expectedVersion)
        .executeTakeFirst();
      if (result.numUpdatedRows !== 1n) return NOT_APPLIED;
      // Store the lines exactly as given (refunds change `refunded`); unchanged lines are not
      // rewritten.
      const lines = reservationLinesToRows(next);
      if (lines.length > 0) {
        await db
          .insertInto('reservation_lines')
          .values(lines)
          .onConflict((conflict) =>
            conflict
              .columns(['reservation_id', 'line_no'])
              .doUpdateSet((eb) => ({
                sku: eb.ref('excluded.sku'),
                warehouse_id: eb.ref('excluded.warehouse_id'),
                quantity: eb.ref('excluded.quantity'),
                refunded: eb.ref('excluded.refunded'),
              }))
              .where(
                sql<boolean>`(reservation_lines.sku, reservation_lines.warehouse_id, reservation_lines.quantity, reservation_lines.refunded) IS NOT (excluded.sku, excluded.warehouse_id, excluded.quantity, excluded.refunded)`,
              ),
          )
          .execute();
      }
      await db
        .deleteFrom('reservation_lines')
        .where('reservation_id', '=', next.id)
        .where('line_no', '>=', lines.length)
        .execute();
      return APPLIED;
    },

    async claimDue(now, limit) {
      const rows = await db
        .selectFrom('reservations')
        .selectAll()
        .where('status', '=', 'ACTIVE')
        .where('expires_at', '<=', toMillis(now))
        .orderBy('expires_at')
        .orderBy('id')
        .limit(limit)
        .execute();
      return withLines(db, rows);
    },

    async listByOrder(orderId) {
      const rows = await db
        .selectFrom('reservations')
        .selectAll()
        .where('order_id', '=', orderId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return withLines(db, rows);
    },
  };
}

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
      const byId = new Map<string, ReturnType<typeof warehouseFromRow>>();
      for (const part of chunks(distinct(ids))) {
        const rows = await db.selectFrom('warehouses').selectAll().where('id', 'in', part).execute();
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
  };
}
