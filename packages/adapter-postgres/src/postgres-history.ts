import { compareStockKeys, type HistoryReads, type HistoryRows } from '@stockroom/core/adapter-kit';
import { type LedgerEntryRow, type LedgerSumRow, sharedHistory } from '@stockroom/sql-kit';
import { sql } from 'kysely';
import { postgresKit } from './mappers.js';
import { chunk, insertUnnest, type SchemaScope } from './queries.js';

const { checkpointFromRow, checkpointToRow } = postgresKit.mappers;

const CHECKPOINT_TYPES = {
  sku: 'text',
  warehouse_id: 'text',
  version: 'bigint',
  available: 'bigint',
  reserved: 'bigint',
  damaged: 'bigint',
  in_transit: 'bigint',
  backordered: 'bigint',
  moved_at: 'timestamptz',
  last_restocked_at: 'timestamptz',
  last_sold_at: 'timestamptz',
  verified_at: 'timestamptz',
} as const;

/** The largest bigint: an open upper bound that still lets the ledger index bound the scan. */
const NO_UPPER_BOUND = '9223372036854775807';

/** Checkpoint, ledger-slice, archivable and horizon reads (autocommit, possibly a replica). */
export function postgresHistoryReads(scope: SchemaScope): HistoryReads {
  const { db } = scope;
  const context = postgresKit.contextOf(db);
  const shared = sharedHistory(context);
  return {
    ...shared.reads,

    async latestCheckpoints(skus) {
      if (skus.length === 0) return [];
      const rows = await db
        .selectFrom('ledger_checkpoints')
        .selectAll()
        .distinctOn(['sku', 'warehouse_id'])
        .where(sql<boolean>`sku = ANY(${[...new Set(skus)]}::text[])`)
        .orderBy('sku')
        .orderBy('warehouse_id')
        .orderBy('version', 'desc')
        .execute();
      return rows.map(checkpointFromRow).sort(compareStockKeys);
    },

    async checkpointsAsOf(sku, instant) {
      const rows = await db
        .selectFrom('ledger_checkpoints')
        .selectAll()
        .distinctOn(['sku', 'warehouse_id'])
        .where('sku', '=', sku)
        .where('moved_at', '<=', instant)
        .orderBy('sku')
        .orderBy('warehouse_id')
        .orderBy('version', 'desc')
        .execute();
      return rows.map(checkpointFromRow);
    },

    async ledgerSince(ranges, options) {
      if (ranges.length === 0) return [];
      // The ranges drive a nested loop: one seek into the (sku, warehouse_id, version) unique
      // index per range, bounded on both sides. Only what a replay reads comes back, the time as
      // epoch milliseconds (a float parses faster than a timestamp's text).
      const result = await sql<LedgerEntryRow>`
        SELECT m.sku, m.warehouse_id, m.version, m.type,
          m.delta_available, m.delta_reserved, m.delta_damaged, m.delta_in_transit,
          m.delta_backordered, m.after_available, m.after_reserved, m.after_damaged,
          m.after_in_transit, m.after_backordered,
          floor(extract(epoch FROM m.created_at) * 1000)::float8 AS created_at
        FROM unnest(
          ${ranges.map((range) => range.sku)}::text[],
          ${ranges.map((range) => range.warehouseId)}::text[],
          ${ranges.map((range) => range.afterVersion)}::bigint[],
          ${ranges.map((range) => range.throughVersion ?? NO_UPPER_BOUND)}::bigint[]
        ) AS r (sku, warehouse_id, after_version, through_version)
        JOIN ${scope.table('movements')} AS m
          ON m.sku = r.sku AND m.warehouse_id = r.warehouse_id
          AND m.version > r.after_version AND m.version <= r.through_version
        ${options.until === undefined ? sql`` : sql`WHERE m.created_at <= ${options.until}`}
        ORDER BY m.sku, m.warehouse_id, m.version
        LIMIT ${options.limit}`.execute(db);
      return result.rows.map(context.mappers.ledgerEntryFromRow);
    },

    async ledgerSums(ranges) {
      if (ranges.length === 0) return [];
      // One seek per range into the ledger's unique key; the sums are made where the rows are,
      // and one row per range comes back.
      const result = await sql<LedgerSumRow>`
        WITH s AS (
          SELECT r.sku, r.warehouse_id, r.after_version, count(*)::float8 AS n,
            sum(m.delta_available)::float8 AS available, sum(m.delta_reserved)::float8 AS reserved,
            sum(m.delta_damaged)::float8 AS damaged, sum(m.delta_in_transit)::float8 AS in_transit,
            sum(m.delta_backordered)::float8 AS backordered, max(m.version) AS last_version,
            max(m.created_at) FILTER (WHERE m.type = 'RESTOCK') AS restocked,
            max(m.created_at) FILTER (WHERE m.type = 'SALE') AS sold
          FROM unnest(
            ${ranges.map((range) => range.sku)}::text[],
            ${ranges.map((range) => range.warehouseId)}::text[],
            ${ranges.map((range) => range.afterVersion)}::bigint[],
            ${ranges.map((range) => range.throughVersion ?? NO_UPPER_BOUND)}::bigint[]
          ) AS r (sku, warehouse_id, after_version, through_version)
          JOIN ${scope.table('movements')} AS m
            ON m.sku = r.sku AND m.warehouse_id = r.warehouse_id
            AND m.version > r.after_version AND m.version <= r.through_version
          GROUP BY r.sku, r.warehouse_id, r.after_version
        )
        SELECT s.*, l.created_at AS moved_at
        FROM s JOIN ${scope.table('movements')} AS l
          ON l.sku = s.sku AND l.warehouse_id = s.warehouse_id AND l.version = s.last_version`.execute(
        db,
      );
      return result.rows.map(shared.ledgerSumFromRow);
    },
  };
}

/** Checkpoint writes, movement removal and the horizon inside a transaction. */
export function postgresHistoryRows(scope: SchemaScope): HistoryRows {
  const { db } = scope;
  return {
    async writeCheckpoints(checkpoints) {
      let written = 0;
      for (const part of chunk(checkpoints)) {
        const rows = part.map(checkpointToRow);
        const result =
          await sql`${insertUnnest(scope.table('ledger_checkpoints'), CHECKPOINT_TYPES, rows)}
          ON CONFLICT (sku, warehouse_id, version) DO UPDATE SET
            available = excluded.available, reserved = excluded.reserved,
            damaged = excluded.damaged, in_transit = excluded.in_transit,
            backordered = excluded.backordered, moved_at = excluded.moved_at, last_restocked_at = excluded.last_restocked_at,
            last_sold_at = excluded.last_sold_at, verified_at = excluded.verified_at`.execute(db);
        written += Number(result.numAffectedRows ?? 0n);
      }
      return written;
    },

    async raiseHorizon(before) {
      const result = await sql<{ archived_before: Date }>`
        INSERT INTO ${scope.table('ledger_horizon')} AS h (id, archived_before, updated_at)
        VALUES (1, ${before}, clock_timestamp())
        ON CONFLICT (id) DO UPDATE SET
          archived_before = greatest(h.archived_before, excluded.archived_before),
          updated_at = excluded.updated_at
        RETURNING archived_before`.execute(db);
      return result.rows[0]!.archived_before;
    },

    async removeMovements(movements) {
      let removed = 0;
      for (const part of chunk(movements)) {
        // By (id, warehouse_id): the partition key too, so a partitioned table prunes.
        const result = await sql`
          DELETE FROM ${scope.table('movements')} AS m
          USING unnest(
            ${part.map((movement) => movement.id)}::text[],
            ${part.map((movement) => movement.warehouseId)}::text[]
          ) AS r (id, warehouse_id)
          WHERE m.id = r.id AND m.warehouse_id = r.warehouse_id`.execute(db);
        removed += Number(result.numAffectedRows ?? 0n);
      }
      return removed;
    },

    async pruneCheckpoints(before) {
      const result = await sql`
        DELETE FROM ${scope.table('ledger_checkpoints')} AS c
        USING (
          SELECT sku, warehouse_id, max(version) AS version
          FROM ${scope.table('ledger_checkpoints')}
          WHERE moved_at < ${before}
          GROUP BY sku, warehouse_id
        ) AS k
        WHERE c.sku = k.sku AND c.warehouse_id = k.warehouse_id
          AND c.moved_at < ${before} AND c.version < k.version`.execute(db);
      return Number(result.numAffectedRows ?? 0n);
    },
  };
}
