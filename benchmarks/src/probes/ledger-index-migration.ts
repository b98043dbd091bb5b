/**
 * What migration 0013 (ascending ledger indexes) costs on an existing ledger of ROWS (1,000,000)
 * movements, PARTS (0) hash partitions: MODE=concurrent runs `migrateToLatest` (the indexes built
 * concurrently before the migration transaction), MODE=transaction builds them inside one
 * transaction as a migration without that step would. Meanwhile a writer appends one movement
 * at a time (every 5 ms); its slowest insert says how long ledger writes waited.
 * Usage: MODE=transaction PARTS=8 node --import tsx src/probes/ledger-index-migration.ts
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { migrateToLatest } from '@stockroom/adapter-postgres';
import pg from 'pg';

const URL = 'postgres://postgres@127.0.0.1:5432/test';
const rows = Number(process.env.ROWS ?? 1_000_000);
const partitions = Number(process.env.PARTS ?? 0);
const mode = process.env.MODE ?? 'concurrent';
const schema = `migcost_${process.pid}`;
const admin = new pg.Pool({ connectionString: URL, max: 2 });
const q = (text: string) => admin.query(text);
const OLD = {
  movements_by_sku: 'sku, created_at DESC, id DESC',
  movements_by_warehouse: 'warehouse_id, created_at DESC, id DESC',
  movements_by_time: 'created_at DESC, id DESC',
};
const NEW = {
  movements_sku_time: 'sku, created_at, id',
  movements_warehouse_time: 'warehouse_id, created_at, id',
  movements_time: 'created_at, id',
};

await migrateToLatest({ connectionString: URL, schema, partitions });
for (const name of Object.keys(NEW)) await q(`DROP INDEX "${schema}".${name}`);
await q(`DELETE FROM "${schema}".stockroom_migration WHERE name = '0013_ledger_index_order'`);
let t = performance.now();
await q(`INSERT INTO "${schema}".movements (id, sku, warehouse_id, type, delta_available,
  delta_reserved, delta_damaged, delta_in_transit, after_available, after_reserved,
  after_damaged, after_in_transit, version, created_at)
  SELECT lpad(to_hex(g), 12, '0'), 'SKU-' || (g / 60), 'wh-' || (g % 3), 'RESTOCK', 1, 0, 0, 0, 1, 0, 0, 0, g,
    timestamptz '2026-01-01' + g * interval '1 millisecond'
  FROM generate_series(1, ${rows}) AS g`);
for (const [name, columns] of Object.entries(OLD))
  await q(`CREATE INDEX ${name} ON "${schema}".movements (${columns})`);
await q(`VACUUM ANALYZE "${schema}".movements`);
console.log(
  `filled ${rows} (partitions ${partitions}) in ${((performance.now() - t) / 1000).toFixed(1)} s`,
);

// The writer: one movement per statement, autocommit, until told to stop.
const writer = new pg.Client({ connectionString: URL });
await writer.connect();
let stop = false;
let worst = 0;
let written = 0;
const writing = (async () => {
  for (let n = rows + 1; !stop; n += 1) {
    const s = performance.now();
    await writer.query(`INSERT INTO "${schema}".movements (id, sku, warehouse_id, type, delta_available,
      delta_reserved, delta_damaged, delta_in_transit, after_available, after_reserved,
      after_damaged, after_in_transit, version, created_at)
      VALUES ('${n.toString(16).padStart(12, '0')}', 'W', 'wh-1', 'RESTOCK', 1, 0, 0, 0, 1, 0, 0, 0, ${n}, clock_timestamp())`);
    worst = Math.max(worst, performance.now() - s);
    written += 1;
    await new Promise((r) => setTimeout(r, 5));
  }
})();
await new Promise((r) => setTimeout(r, 300));
const load = os.loadavg()[0] ?? 0;
t = performance.now();
if (mode === 'transaction') {
  const c = await admin.connect();
  await c.query('BEGIN');
  const steps: string[] = [];
  for (const [name, columns] of Object.entries(NEW)) {
    const s = performance.now();
    await c.query(`CREATE INDEX ${name} ON "${schema}".movements (${columns})`);
    steps.push(`${name} ${((performance.now() - s) / 1000).toFixed(2)}`);
  }
  for (const name of Object.keys(OLD)) await c.query(`DROP INDEX "${schema}".${name}`);
  await c.query(
    `INSERT INTO "${schema}".stockroom_migration VALUES ('0013_ledger_index_order', now())`,
  );
  await c.query('COMMIT');
  c.release();
  console.log('  steps', steps.join(', '));
} else {
  console.log('  applied', await migrateToLatest({ connectionString: URL, schema }));
}
const took = (performance.now() - t) / 1000;
stop = true;
await writing;
console.log(
  `${mode}: ${took.toFixed(2)} s for ${rows} movements (load ${load.toFixed(2)}); writer: ${written} inserts meanwhile, slowest ${worst.toFixed(0)} ms`,
);
await writer.end();
await q(`DROP SCHEMA "${schema}" CASCADE`);
await admin.end();
