import {
  EXACT_DISPLAY,
  formatDisplayStrategy,
  parseDisplayStrategy,
  type SalesChannel,
} from '@stockroom/core';
import type { ChannelRows, WriteOutcome } from '@stockroom/core/adapter-kit';
import type { Insertable, Selectable } from 'kysely';
import type { SchemaScope } from './queries.js';
import type { SalesChannelTable } from './tables.js';

const outcome = (affected: bigint | undefined): WriteOutcome => ({ applied: affected === 1n });

function channelFromRow(row: Selectable<SalesChannelTable>): SalesChannel {
  return {
    id: row.id,
    name: row.name,
    warehouseIds: row.warehouse_ids,
    display: parseDisplayStrategy(row.display) ?? EXACT_DISPLAY,
    version: Number(row.version),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function channelToRow(channel: SalesChannel): Insertable<SalesChannelTable> {
  return {
    id: channel.id,
    name: channel.name,
    warehouse_ids: [...channel.warehouseIds],
    display: formatDisplayStrategy(channel.display),
    version: channel.version,
    created_at: channel.createdAt,
    updated_at: channel.updatedAt,
  };
}

/** Sales channels in one PostgreSQL transaction; `lock` is `SELECT … FOR UPDATE`. */
export function postgresChannelRows(scope: SchemaScope): ChannelRows {
  const { db } = scope;
  return {
    async get(id, options = {}) {
      let query = db.selectFrom('sales_channels').selectAll().where('id', '=', id);
      if (options.lock) query = query.forUpdate();
      const row = await query.executeTakeFirst();
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
