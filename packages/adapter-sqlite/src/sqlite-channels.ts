import {
  EXACT_DISPLAY,
  formatDisplayStrategy,
  parseDisplayStrategy,
  type SalesChannel,
} from '@stockroom/core';
import type { ChannelRows } from '@stockroom/core/adapter-kit';
import { outcome } from '@stockroom/sql-kit';
import type { Kysely, Selectable } from 'kysely';
import type { SalesChannelTable, SqliteTables } from './tables.js';

type Db = Kysely<SqliteTables>;

function channelFromRow(row: Selectable<SalesChannelTable>): SalesChannel {
  return {
    id: row.id,
    name: row.name,
    warehouseIds: JSON.parse(row.warehouse_ids) as string[],
    display: parseDisplayStrategy(row.display) ?? EXACT_DISPLAY,
    version: row.version,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

function channelToRow(channel: SalesChannel): SalesChannelTable {
  return {
    id: channel.id,
    name: channel.name,
    warehouse_ids: JSON.stringify(channel.warehouseIds),
    display: formatDisplayStrategy(channel.display),
    version: channel.version,
    created_at: channel.createdAt.getTime(),
    updated_at: channel.updatedAt.getTime(),
  };
}

/**
 * Sales channels in one SQLite transaction. `lock` needs nothing: the store's write
 * transactions are BEGIN IMMEDIATE, so nothing else writes meanwhile.
 */
export function sqliteChannelRows(db: Db): ChannelRows {
  return {
    async get(id) {
      const row = await db
        .selectFrom('sales_channels')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return row ? channelFromRow(row) : null;
    },
    async list() {
      const rows = await db.selectFrom('sales_channels').selectAll().orderBy('id').execute();
      return rows.map(channelFromRow);
    },
    async insert(channel) {
      const result = await db
        .insertInto('sales_channels')
        .values(channelToRow(channel))
        .onConflict((conflict) => conflict.column('id').doNothing())
        .executeTakeFirst();
      return outcome(result.numInsertedOrUpdatedRows);
    },
    async update(next, expectedVersion) {
      const { id: _id, created_at: _created, ...fields } = channelToRow(next);
      const result = await db
        .updateTable('sales_channels')
        .set(fields)
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
