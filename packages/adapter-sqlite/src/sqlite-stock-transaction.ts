import type { CloudEvent } from '@stockroom/core';
import type { LedgerRows, OutboxRows, StockTransaction } from '@stockroom/core/adapter-kit';
import {
  channelRows,
  chunks,
  isTimeImplied,
  kitDefinitionRows,
  receiptRows,
  type SharedRows,
  sharedRows,
  skuPolicyRows,
} from '@stockroom/sql-kit';
import type { Kysely } from 'kysely';
import { movementToRow, outboxEntryFromRow, sqliteKit, storedEventJson } from './mappers.js';
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
      for (const part of chunks(movements, 23)) {
        await db.insertInto('movements').values(part.map(movementToRow)).execute();
      }
    },
  };
}

function outboxRows(db: Db, delivery: SharedRows['outboxDelivery']): OutboxRows {
  return {
    ...delivery,
    async append(events: readonly CloudEvent[]) {
      for (const part of chunks(events, 3)) {
        await db
          .insertInto('outbox')
          .values(
            part.map((event) => {
              const eventTime = Date.parse(event.time);
              return {
                event_id: event.id,
                event: storedEventJson(event, !isTimeImplied(event.time, eventTime)),
                event_time: eventTime,
              };
            }),
          )
          .execute();
      }
    },

    async claim(limit) {
      const rows = await db
        .selectFrom('outbox')
        .select(['position', 'event_id', 'event', 'event_time', 'attempts'])
        .orderBy('position')
        .limit(limit)
        .execute();
      return rows.map(outboxEntryFromRow);
    },
  };
}

/**
 * The {@link StockTransaction} over one kysely transaction on the write connection (opened with
 * BEGIN IMMEDIATE by the store). Guarded writes report lost races as `{ applied: false }`.
 */
export function createSqliteStockTransaction(db: Db): StockTransaction {
  // No row locks: the transaction holds SQLite's write lock from its first statement.
  const shared = sharedRows(sqliteKit.contextOf(db), { rowLocks: false });
  const reservations = reservationRows(db);
  return {
    stock: stockRows(db, shared.stockSettings),
    reservations,
    ledger: ledgerRows(db),
    outbox: outboxRows(db, shared.outboxDelivery),
    idempotency: shared.idempotency,
    warehouses: shared.warehouses,
    transfers: shared.transfers,
    alerts: shared.alerts,
    history: sqliteHistoryRows(db),
    policies: skuPolicyRows(sqliteKit.contextOf(db)),
    channels: channelRows(sqliteKit.contextOf(db), { rowLocks: false }),
    kits: kitDefinitionRows(sqliteKit.contextOf(db), { rowLocks: false }),
    receipts: receiptRows(sqliteKit.contextOf(db), { rowLocks: false, reservations }),
  };
}
