import { type InventoryStock, stockKeyOf, VersionConflictError } from '@stockroom/core';
import { compareStockKeys, type StockRows } from '@stockroom/core/adapter-kit';
import {
  APPLIED,
  chunks,
  distinct,
  NOT_APPLIED,
  outcome,
  type SharedRows,
} from '@stockroom/sql-kit';
import type { Kysely } from 'kysely';
import { sqliteKit, stockToRow, toMillis, toMillisOrNull } from './mappers.js';
import type { SqliteTables } from './tables.js';

const { stockFromRow } = sqliteKit.mappers;

// Runs inside the store's BEGIN IMMEDIATE transaction: nothing else writes until it ends, so
// `lock` needs nothing more, and a version checked at the start of `update` still holds when it
// writes.

type Db = Kysely<SqliteTables>;

/** Rows of the given SKUs, sorted by (sku, warehouseId) as the core compares them. */
export async function stockOfSkus(db: Db, skus: readonly string[]): Promise<InventoryStock[]> {
  const rows: InventoryStock[] = [];
  for (const part of chunks(distinct(skus))) {
    const found = await db.selectFrom('stock').selectAll().where('sku', 'in', part).execute();
    for (const row of found) rows.push(stockFromRow(row));
  }
  return rows.sort(compareStockKeys);
}

/** Stock rows inside a transaction (see `StockRows`). */
export function stockRows(db: Db, settings: SharedRows['stockSettings']): StockRows {
  return {
    ...settings,
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
            backordered: next.backordered,
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
  };
}
