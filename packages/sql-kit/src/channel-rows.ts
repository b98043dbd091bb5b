import {
  EXACT_DISPLAY,
  formatDisplayStrategy,
  parseDisplayStrategy,
  type SalesChannel,
} from '@stockroom/core';
import type { ChannelRows } from '@stockroom/core/adapter-kit';
import type { Selectable } from 'kysely';
import type { KitContext } from './shared-reads.js';
import type { SharedRowsDialect } from './shared-rows.js';
import type { SalesChannelTable } from './tables.js';
import { outcome } from './write-outcome.js';

/**
 * Sales channels in one store transaction. `get(id, { lock })` takes a row lock where the engine
 * has them (SQLite needs none: its write transactions hold the database's single write lock).
 */
export function channelRows(context: KitContext, dialect: SharedRowsDialect): ChannelRows {
  const { db, codec } = context;
  const fromRow = (row: Selectable<SalesChannelTable>): SalesChannel => ({
    id: row.id,
    name: row.name,
    warehouseIds: codec.idList(row.warehouse_ids),
    display: parseDisplayStrategy(row.display) ?? EXACT_DISPLAY,
    version: codec.int(row.version),
    createdAt: codec.time(row.created_at),
    updatedAt: codec.time(row.updated_at),
  });
  const fieldsOf = (channel: SalesChannel) => ({
    name: channel.name,
    warehouse_ids: codec.toIdList(channel.warehouseIds),
    display: formatDisplayStrategy(channel.display),
    version: channel.version,
    updated_at: codec.toTime(channel.updatedAt),
  });
  return {
    async get(id, options = {}) {
      let query = db.selectFrom('sales_channels').selectAll().where('id', '=', id);
      if (options.lock && dialect.rowLocks) query = query.forUpdate();
      const row = await query.executeTakeFirst();
      return row ? fromRow(row) : null;
    },
    async list() {
      const rows = await db.selectFrom('sales_channels').selectAll().orderBy('id').execute();
      return rows.map(fromRow);
    },
    async insert(channel) {
      const result = await db
        .insertInto('sales_channels')
        .values({
          id: channel.id,
          ...fieldsOf(channel),
          created_at: codec.toTime(channel.createdAt),
        })
        .onConflict((conflict) => conflict.column('id').doNothing())
        .executeTakeFirst();
      return outcome(result.numInsertedOrUpdatedRows);
    },
    async update(next, expectedVersion) {
      const result = await db
        .updateTable('sales_channels')
        .set(fieldsOf(next))
        .where('id', '=', next.id)
        .where('version', '=', expectedVersion)
        .executeTakeFirst();
      return outcome(result.numUpdatedRows);
    },
    async remove(id, expectedVersion) {
      const result = await db
        .deleteFrom('sales_channels')
        .where('id', '=', id)
        .where('version', '=', expectedVersion)
        .executeTakeFirst();
      return outcome(result.numDeletedRows);
    },
  };
}
