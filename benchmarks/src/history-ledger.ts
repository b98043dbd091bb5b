import { stat } from 'node:fs/promises';
import Database from 'better-sqlite3';
import pg from 'pg';

// Set-based generation of a large ledger for the history scenario: movements, the stock rows
// they replay to, and checkpoints, written with SQL (generate_series on PostgreSQL, recursive
// CTEs on SQLite), never through the library's API.
//
// Row i (0 ≤ i < rows) is SKU `HIST-<i / 4>` in warehouse `wh-<i % 4 + 1>`. Its movement at
// version v is a RESTOCK of +10 available when v is odd and a SALE of −5 available when v is
// even, so after version v the row holds 10·⌈v/2⌉ − 5·⌊v/2⌋ available (never negative, and
// nothing reserved, so the rows agree with the reservation holds too). Version v of row i is
// recorded at start + v·step + (i·7919 mod 1000)·step/1000 ms: every row's history moves
// forward in time and the rows interleave.

/** The time layout of the generated history. */
export interface HistoryClock {
  /** Unix ms of version 0. */
  readonly start: number;
  /** Milliseconds between two versions of a row. */
  readonly step: number;
}

/** Where the generated rows live and how to write more of them. */
export interface HistoryLedger {
  readonly kind: 'postgres' | 'sqlite';
  /** Appends versions (from, through] of every row and sets the stock rows to `through`. */
  generate(from: number, through: number, progress: (done: number) => void): Promise<void>;
  /** Writes one checkpoint per row at `version`, as a reconciliation would have. */
  checkpoint(version: number, verifiedAt: Date): Promise<void>;
  /** Refreshes the planner's statistics (as autovacuum / PRAGMA optimize would). */
  analyze(): Promise<void>;
  /** Movements stored. */
  movementCount(): Promise<number>;
  /** Bytes of the movements table and its indexes. */
  movementBytes(): Promise<{ bytes: number; how: string }>;
  close(): Promise<void>;
}

const MOVEMENT_COLUMNS = `id, sku, warehouse_id, type, delta_available, delta_reserved, delta_damaged,
  delta_in_transit, after_available, after_reserved, after_damaged, after_in_transit, version,
  actor, created_at`;

/** Loads of at least this many movements drop the secondary indexes first and rebuild them. */
const REBUILD_ABOVE = 2_000_000;

/** Versions per statement: about a million movements each. */
function versionsPerBatch(rows: number): number {
  return Math.max(1, Math.floor(1_000_000 / rows));
}

/** PostgreSQL: one connection on the store's schema. */
export async function postgresHistoryLedger(
  connectionString: string,
  schema: string,
  rows: number,
  clock: HistoryClock,
): Promise<HistoryLedger> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  await client.query(`SET search_path TO "${schema}"`);
  // The generator's own session only: a crash loses generated rows, nothing else.
  await client.query('SET synchronous_commit TO off');
  const ms = (v: string, i: string) =>
    `(${clock.start}::bigint + ${v} * ${clock.step}::bigint + ((${i} * 7919) % 1000) * ${clock.step}::bigint / 1000)`;
  const available = (v: string) => `(10 * ((${v} + 1) / 2) - 5 * (${v} / 2))`;
  return {
    kind: 'postgres',
    async generate(from, through, progress) {
      const batch = versionsPerBatch(rows);
      // A large load goes in without the secondary indexes, which are then rebuilt from their
      // own definitions (read back from the catalog, so the schema ends exactly as migrated).
      const rebuild = (through - from) * rows >= REBUILD_ABOVE;
      const indexes = rebuild
        ? (
            await client.query<{ name: string; definition: string }>(
              `SELECT i.indexname AS name, i.indexdef AS definition FROM pg_indexes i
               WHERE i.schemaname = $1 AND i.tablename = 'movements'
                 AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname
                   AND c.connamespace = $1::regnamespace)`,
              [schema],
            )
          ).rows
        : [];
      for (const index of indexes) await client.query(`DROP INDEX "${schema}"."${index.name}"`);
      for (let low = from; low < through; low += batch) {
        const high = Math.min(through, low + batch);
        await client.query(`
          INSERT INTO movements (${MOVEMENT_COLUMNS})
          SELECT lpad(g.ms::text, 13, '0') || '-7' || lpad(g.v::text, 5, '0') || '-8' || lpad(g.i::text, 6, '0') || '-0000000',
            'HIST-' || lpad((g.i / 4)::text, 6, '0'), 'wh-' || (g.i % 4 + 1)::text,
            CASE WHEN g.v % 2 = 1 THEN 'RESTOCK' ELSE 'SALE' END,
            CASE WHEN g.v % 2 = 1 THEN 10 ELSE -5 END, 0, 0, 0,
            ${available('g.v')}, 0, 0, 0, g.v, 'bench:history', to_timestamp(g.ms / 1000.0)
          FROM (
            SELECT v, i, ${ms('v', 'i')} AS ms
            FROM generate_series(${low + 1}::bigint, ${high}::bigint) AS v
            CROSS JOIN generate_series(0::bigint, ${rows - 1}::bigint) AS i
          ) AS g`);
        progress((high - from) * rows);
      }
      for (const index of indexes) await client.query(index.definition);
      const v = `${through}::bigint`;
      await client.query(`
        INSERT INTO stock (sku, warehouse_id, available, reserved, damaged, in_transit, total,
          low_stock_threshold, reorder_point, max_stock_level, version, last_restocked_at,
          last_sold_at, created_at, updated_at)
        SELECT 'HIST-' || lpad((i / 4)::text, 6, '0'), 'wh-' || (i % 4 + 1)::text,
          ${available(v)}, 0, 0, 0, ${available(v)}, 10, 20, NULL, ${v},
          to_timestamp(${ms(`(${v} - (1 - ${v} % 2))`, 'i')} / 1000.0),
          CASE WHEN ${v} >= 2 THEN to_timestamp(${ms(`(${v} - ${v} % 2)`, 'i')} / 1000.0) END,
          to_timestamp(${ms('1', 'i')} / 1000.0), to_timestamp(${ms(v, 'i')} / 1000.0)
        FROM generate_series(0::bigint, ${rows - 1}::bigint) AS i
        ON CONFLICT (sku, warehouse_id) DO UPDATE SET
          available = excluded.available, total = excluded.total, version = excluded.version,
          last_restocked_at = excluded.last_restocked_at, last_sold_at = excluded.last_sold_at,
          updated_at = excluded.updated_at`);
    },
    async checkpoint(version, verifiedAt) {
      const v = `${version}::bigint`;
      await client.query(
        `
        INSERT INTO ledger_checkpoints (sku, warehouse_id, version, available, reserved, damaged,
          in_transit, moved_at, last_restocked_at, last_sold_at, verified_at)
        SELECT 'HIST-' || lpad((i / 4)::text, 6, '0'), 'wh-' || (i % 4 + 1)::text, ${v},
          ${available(v)}, 0, 0, 0, to_timestamp(${ms(v, 'i')} / 1000.0),
          to_timestamp(${ms(`(${v} - (1 - ${v} % 2))`, 'i')} / 1000.0),
          CASE WHEN ${v} >= 2 THEN to_timestamp(${ms(`(${v} - ${v} % 2)`, 'i')} / 1000.0) END,
          $1
        FROM generate_series(0::bigint, ${rows - 1}::bigint) AS i
        ON CONFLICT DO NOTHING`,
        [verifiedAt],
      );
    },
    async analyze() {
      await client.query('ANALYZE movements');
      await client.query('ANALYZE stock');
      await client.query('ANALYZE ledger_checkpoints');
    },
    async movementCount() {
      const result = await client.query<{ count: string }>(
        'SELECT count(*)::text AS count FROM movements',
      );
      return Number(result.rows[0]!.count);
    },
    async movementBytes() {
      const result = await client.query<{ bytes: string }>(
        `SELECT pg_total_relation_size('"${schema}".movements')::text AS bytes`,
      );
      return { bytes: Number(result.rows[0]!.bytes), how: 'pg_total_relation_size(movements)' };
    },
    async close() {
      await client.end();
    },
  };
}

/** SQLite: a connection of its own on the store's file (WAL lets the store keep its own). */
export async function sqliteHistoryLedger(
  filename: string,
  rows: number,
  clock: HistoryClock,
): Promise<HistoryLedger> {
  const database = new Database(filename);
  database.pragma('busy_timeout = 10000');
  database.pragma('synchronous = OFF');
  database.pragma('cache_size = -262144');
  const ms = (v: string, i: string) =>
    `(${clock.start} + ${v} * ${clock.step} + ((${i} * 7919) % 1000) * ${clock.step} / 1000)`;
  const available = (v: string) => `(10 * ((${v} + 1) / 2) - 5 * (${v} / 2))`;
  const rowsCte = `rs(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM rs WHERE i < ${rows - 1})`;
  return {
    kind: 'sqlite',
    async generate(from, through, progress) {
      const batch = versionsPerBatch(rows);
      const rebuild = (through - from) * rows >= REBUILD_ABOVE;
      const indexes = rebuild
        ? (database
            .prepare(
              "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'movements' AND sql IS NOT NULL",
            )
            .all() as Array<{ name: string; sql: string }>)
        : [];
      for (const index of indexes) database.exec(`DROP INDEX "${index.name}"`);
      for (let low = from; low < through; low += batch) {
        const high = Math.min(through, low + batch);
        database.exec(`
          WITH RECURSIVE vs(v) AS (SELECT ${low + 1} UNION ALL SELECT v + 1 FROM vs WHERE v < ${high}),
          ${rowsCte},
          g(v, i, ms) AS (SELECT v, i, ${ms('v', 'i')} FROM vs CROSS JOIN rs)
          INSERT INTO movements (${MOVEMENT_COLUMNS})
          SELECT printf('%013d-7%05d-8%06d-0000000', ms, v, i),
            printf('HIST-%06d', i / 4), 'wh-' || (i % 4 + 1),
            CASE WHEN v % 2 = 1 THEN 'RESTOCK' ELSE 'SALE' END,
            CASE WHEN v % 2 = 1 THEN 10 ELSE -5 END, 0, 0, 0,
            ${available('v')}, 0, 0, 0, v, 'bench:history', ms
          FROM g`);
        progress((high - from) * rows);
        // Let the event loop breathe between the synchronous statements.
        await new Promise((resolve) => setImmediate(resolve));
      }
      for (const index of indexes) database.exec(index.sql);
      const v = String(through);
      database.exec(`
        WITH RECURSIVE ${rowsCte}
        INSERT INTO stock (sku, warehouse_id, available, reserved, damaged, in_transit, total,
          low_stock_threshold, reorder_point, max_stock_level, version, last_restocked_at,
          last_sold_at, created_at, updated_at)
        SELECT printf('HIST-%06d', i / 4), 'wh-' || (i % 4 + 1),
          ${available(v)}, 0, 0, 0, ${available(v)}, 10, 20, NULL, ${v},
          ${ms(`(${v} - (1 - ${v} % 2))`, 'i')},
          CASE WHEN ${v} >= 2 THEN ${ms(`(${v} - ${v} % 2)`, 'i')} END,
          ${ms('1', 'i')}, ${ms(v, 'i')}
        FROM rs WHERE true
        ON CONFLICT (sku, warehouse_id) DO UPDATE SET
          available = excluded.available, total = excluded.total, version = excluded.version,
          last_restocked_at = excluded.last_restocked_at, last_sold_at = excluded.last_sold_at,
          updated_at = excluded.updated_at`);
    },
    async checkpoint(version, verifiedAt) {
      const v = String(version);
      database.exec(`
        WITH RECURSIVE ${rowsCte}
        INSERT OR IGNORE INTO ledger_checkpoints (sku, warehouse_id, version, available, reserved,
          damaged, in_transit, moved_at, last_restocked_at, last_sold_at, verified_at)
        SELECT printf('HIST-%06d', i / 4), 'wh-' || (i % 4 + 1), ${v}, ${available(v)}, 0, 0, 0,
          ${ms(v, 'i')}, ${ms(`(${v} - (1 - ${v} % 2))`, 'i')},
          CASE WHEN ${v} >= 2 THEN ${ms(`(${v} - ${v} % 2)`, 'i')} END, ${verifiedAt.getTime()}
        FROM rs`);
    },
    async analyze() {
      database.exec('ANALYZE');
    },
    async movementCount() {
      return (database.prepare('SELECT count(*) AS n FROM movements').get() as { n: number }).n;
    },
    async movementBytes() {
      try {
        const row = database
          .prepare(
            "SELECT sum(pgsize) AS bytes FROM dbstat WHERE name IN (SELECT name FROM sqlite_master WHERE tbl_name = 'movements')",
          )
          .get() as { bytes: number };
        return { bytes: row.bytes, how: 'dbstat (movements and its indexes)' };
      } catch {
        database.pragma('wal_checkpoint(TRUNCATE)');
        return { bytes: (await stat(filename)).size, how: 'whole file (no dbstat)' };
      }
    },
    async close() {
      database.close();
    },
  };
}
