import {
  compareStockKeys,
  type HistoryReads,
  type HistoryRows,
  type LedgerCheckpoint,
  type LedgerRange,
} from '@stockroom/core/adapter-kit';
import {
  chunks,
  type LedgerEntryRow,
  type LedgerSumRow,
  type SqliteColumns,
  sharedHistory,
} from '@stockroom/sql-kit';
import { type Kysely, sql } from 'kysely';
import { sqliteKit, toMillis } from './mappers.js';
import type { SqliteTables } from './tables.js';

const { checkpointFromRow, checkpointToRow, ledgerEntryFromRow } = sqliteKit.mappers;

type Db = Kysely<SqliteTables>;

/** The ranges as one JSON parameter, read back by `json_each` (one bound value for any count). */
function rangesJson(ranges: readonly LedgerRange[]): string {
  return JSON.stringify(
    ranges.map((range) => [
      range.sku,
      range.warehouseId,
      range.afterVersion,
      range.throughVersion ?? null,
    ]),
  );
}

/** Checkpoint, ledger-slice, archivable and horizon reads over `db` (the read connection). */
export function sqliteHistoryReads(db: Db): HistoryReads {
  const shared = sharedHistory(sqliteKit.contextOf(db));
  return {
    ...shared.reads,

    async latestCheckpoints(skus) {
      const found: LedgerCheckpoint[] = [];
      for (const part of chunks([...new Set(skus)])) {
        const rows = await db
          .selectFrom('ledger_checkpoints as c')
          .selectAll('c')
          .where('c.sku', 'in', part)
          .where((eb) =>
            eb(
              'c.version',
              '=',
              eb
                .selectFrom('ledger_checkpoints as m')
                .select((inner) => inner.fn.max<number>('m.version').as('version'))
                .whereRef('m.sku', '=', 'c.sku')
                .whereRef('m.warehouse_id', '=', 'c.warehouse_id'),
            ),
          )
          .execute();
        found.push(...rows.map(checkpointFromRow));
      }
      return found.sort(compareStockKeys);
    },

    async checkpointsAsOf(sku, instant) {
      const rows = await db
        .selectFrom('ledger_checkpoints as c')
        .selectAll('c')
        .where('c.sku', '=', sku)
        .where((eb) =>
          eb(
            'c.version',
            '=',
            eb
              .selectFrom('ledger_checkpoints as m')
              .select((inner) => inner.fn.max<number>('m.version').as('version'))
              .whereRef('m.sku', '=', 'c.sku')
              .whereRef('m.warehouse_id', '=', 'c.warehouse_id')
              .where('m.moved_at', '<=', toMillis(instant)),
          ),
        )
        .orderBy('c.warehouse_id')
        .execute();
      return rows.map(checkpointFromRow);
    },

    async ledgerSince(ranges, options) {
      if (ranges.length === 0) return [];
      const json = rangesJson(ranges);
      const until = options.until === undefined ? null : toMillis(options.until);
      // The ranges drive the join (CROSS JOIN keeps them outside), so each is one seek into
      // movements_ledger; unary plus keeps created_at's index out of it.
      const result = await sql<LedgerEntryRow<SqliteColumns>>`
        WITH r (sku, warehouse_id, after_version, through_version) AS (
          SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3 FROM json_each(${json})
        )
        SELECT m.sku, m.warehouse_id, m.version, m.type, m.delta_available, m.delta_reserved,
          m.delta_damaged, m.delta_in_transit, m.delta_backordered, m.after_available,
          m.after_reserved, m.after_damaged, m.after_in_transit, m.after_backordered, m.created_at
        FROM r CROSS JOIN movements AS m
        WHERE m.sku = r.sku AND m.warehouse_id = r.warehouse_id
          AND m.version > r.after_version
          AND (r.through_version IS NULL OR m.version <= r.through_version)
          AND (${until} IS NULL OR +m.created_at <= ${until})
        ORDER BY m.sku, m.warehouse_id, m.version
        LIMIT ${options.limit}`.execute(db);
      return result.rows.map(ledgerEntryFromRow);
    },

    async ledgerSums(ranges) {
      if (ranges.length === 0) return [];
      const json = rangesJson(ranges);
      const result = await sql<LedgerSumRow>`
        WITH r (sku, warehouse_id, after_version, through_version) AS (
          SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3 FROM json_each(${json})
        ),
        s AS (
          SELECT r.sku, r.warehouse_id, r.after_version, count(*) AS n,
            sum(m.delta_available) AS available, sum(m.delta_reserved) AS reserved,
            sum(m.delta_damaged) AS damaged, sum(m.delta_in_transit) AS in_transit,
            sum(m.delta_backordered) AS backordered, max(m.version) AS last_version,
            max(m.created_at) FILTER (WHERE m.type = 'RESTOCK') AS restocked,
            max(m.created_at) FILTER (WHERE m.type = 'SALE') AS sold
          FROM r CROSS JOIN movements AS m
          WHERE m.sku = r.sku AND m.warehouse_id = r.warehouse_id
            AND m.version > r.after_version
            AND (r.through_version IS NULL OR m.version <= r.through_version)
          GROUP BY r.sku, r.warehouse_id, r.after_version
        )
        SELECT s.*, (
          SELECT l.created_at FROM movements AS l
          WHERE l.sku = s.sku AND l.warehouse_id = s.warehouse_id AND l.version = s.last_version
        ) AS moved_at
        FROM s`.execute(db);
      return result.rows.map(shared.ledgerSumFromRow);
    },
  };
}

/** Checkpoint writes, movement removal and the horizon inside a write transaction. */
export function sqliteHistoryRows(db: Db): HistoryRows {
  return {
    async writeCheckpoints(checkpoints) {
      let written = 0;
      for (const part of chunks(checkpoints, 12)) {
        const result = await db
          .insertInto('ledger_checkpoints')
          .values(part.map(checkpointToRow))
          .onConflict((conflict) =>
            conflict.columns(['sku', 'warehouse_id', 'version']).doUpdateSet((eb) => ({
              available: eb.ref('excluded.available'),
              reserved: eb.ref('excluded.reserved'),
              damaged: eb.ref('excluded.damaged'),
              in_transit: eb.ref('excluded.in_transit'),
              backordered: eb.ref('excluded.backordered'),
              moved_at: eb.ref('excluded.moved_at'),
              last_restocked_at: eb.ref('excluded.last_restocked_at'),
              last_sold_at: eb.ref('excluded.last_sold_at'),
              verified_at: eb.ref('excluded.verified_at'),
            })),
          )
          .executeTakeFirst();
        written += Number(result.numInsertedOrUpdatedRows ?? 0n);
      }
      return written;
    },

    async raiseHorizon(before) {
      const millis = toMillis(before);
      await db
        .insertInto('ledger_horizon')
        .values({ id: 1, archived_before: millis, updated_at: Date.now() })
        .onConflict((conflict) =>
          conflict
            .column('id')
            .doUpdateSet({ archived_before: millis, updated_at: Date.now() })
            .where('ledger_horizon.archived_before', '<', millis),
        )
        .execute();
      const row = await db
        .selectFrom('ledger_horizon')
        .select('archived_before')
        .where('id', '=', 1)
        .executeTakeFirstOrThrow();
      return new Date(row.archived_before);
    },

    async removeMovements(movements) {
      let removed = 0;
      for (const part of chunks(movements)) {
        const result = await db
          .deleteFrom('movements')
          .where(
            'id',
            'in',
            part.map((movement) => movement.id),
          )
          .executeTakeFirst();
        removed += Number(result.numDeletedRows);
      }
      return removed;
    },

    async pruneCheckpoints(before) {
      const horizon = toMillis(before);
      const result = await sql`
        DELETE FROM ledger_checkpoints AS c
        WHERE c.moved_at < ${horizon}
          AND c.version < (
            SELECT max(k.version) FROM ledger_checkpoints AS k
            WHERE k.sku = c.sku AND k.warehouse_id = c.warehouse_id AND k.moved_at < ${horizon}
          )`.execute(db);
      return Number(result.numAffectedRows ?? 0n);
    },
  };
}
