/**
 * What the order of the ledger's time indexes costs PostgreSQL when movements are appended in
 * time order: ROWS (100,000) movements, CHUNK (2,000) a statement, into a movements-like table
 * with the primary key, the (sku, warehouse_id, version) key and the three time indexes either
 * descending (as migration 0001 made them) or ascending (0013), PAIRS (3) alternating pairs.
 * Prints the backend's CPU time (from /proc, so run it on the database's machine), the wall time
 * and the load; with EXPLAIN=1 every statement runs under EXPLAIN (ANALYZE, BUFFERS, WAL) and the
 * buffers and WAL bytes are summed; with SIZES=1 the index sizes follow each pass.
 * Usage: node --import tsx src/probes/ledger-index-order.ts
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import pg from 'pg';

const rows = Number(process.env.ROWS ?? 100_000);
const chunk = Number(process.env.CHUNK ?? 2_000);
const pairs = Number(process.env.PAIRS ?? 3);
const explain = process.env.EXPLAIN === '1';
const schema = `ledins_${process.pid}`;
const client = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/test' });
await client.connect();
const pid = (await client.query('select pg_backend_pid() as pid')).rows[0].pid as number;
const ticks = () => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(f[11]) + Number(f[12]);
};
const INDEXES = {
  desc: [
    'sku, created_at DESC, id DESC',
    'warehouse_id, created_at DESC, id DESC',
    'created_at DESC, id DESC',
  ],
  asc: ['sku, created_at, id', 'warehouse_id, created_at, id', 'created_at, id'],
};
await client.query(`CREATE SCHEMA ${schema}`);
for (const [kind, list] of Object.entries(INDEXES)) {
  await client.query(`CREATE TABLE ${schema}.m_${kind} (id text PRIMARY KEY, sku text NOT NULL,
    warehouse_id text NOT NULL, type text NOT NULL, delta_available bigint NOT NULL,
    after_available bigint NOT NULL, version bigint NOT NULL, created_at timestamptz NOT NULL,
    UNIQUE (sku, warehouse_id, version))`);
  for (const columns of list)
    await client.query(`CREATE INDEX ON ${schema}.m_${kind} (${columns})`);
}
const run = async (kind: string) => {
  await client.query(`TRUNCATE ${schema}.m_${kind}`);
  const t0 = ticks();
  const w0 = performance.now();
  let buffers = 0;
  let wal = 0;
  for (let start = 0; start < rows; start += chunk) {
    const text = `INSERT INTO ${schema}.m_${kind} SELECT
      '0190' || lpad(to_hex(g), 12, '0') || md5(g::text), 'BULK-' || lpad((g / 3)::text, 6, '0'), 'wh-' || (g % 3 + 1),
      'RESTOCK', 100, 100, 1, timestamptz '2026-01-01' + g * interval '10 microseconds'
      FROM generate_series(${start}, ${start + chunk - 1}) AS g`;
    if (explain) {
      const result = await client.query(`EXPLAIN (ANALYZE, BUFFERS, WAL, FORMAT JSON) ${text}`);
      const plan = result.rows[0]['QUERY PLAN'][0].Plan as Record<string, number>;
      buffers += (plan['Shared Hit Blocks'] ?? 0) + (plan['Shared Read Blocks'] ?? 0);
      wal += Number(plan['WAL Bytes']);
    } else await client.query(text);
  }
  const cpu = (ticks() - t0) / 100;
  const size = (
    await client.query(`select string_agg(c.relname || ' ' || round(pg_relation_size(c.oid) / 1048576.0, 1) || 'MB', ', ' order by c.relname) s
    from pg_index i join pg_class c on c.oid = i.indexrelid where i.indrelid = '${schema}.m_${kind}'::regclass`)
  ).rows[0].s;
  console.log(
    `${kind}: backend cpu ${cpu.toFixed(2)} s, wall ${((performance.now() - w0) / 1000).toFixed(2)} s, load ${(os.loadavg()[0] ?? 0).toFixed(2)}${explain ? `, buffers ${buffers}, WAL ${(wal / 1e6).toFixed(1)} MB` : ''}`,
  );
  if (process.env.SIZES) console.log('   ', size);
};
for (let i = 0; i < pairs; i += 1) {
  await run('desc');
  await run('asc');
}
await client.query(`DROP SCHEMA ${schema} CASCADE`);
await client.end();
