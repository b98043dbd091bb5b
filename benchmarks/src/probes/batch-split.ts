/**
 * Splits a batched reservation's time on PostgreSQL: 64 callers reserve 1 unit of one SKU; every
 * `pg` query is timed client-side (`process.hrtime`) by kind, and Node's CPU is counted.
 * Usage: node --import tsx src/probes/batch-split.ts [reservations] [callers]
 */

import { createPostgresStockStore } from '@stockroom/adapter-postgres';
import { createStockroom } from '@stockroom/core';
import pg from 'pg';

const total = Number(process.argv[2] ?? 20000);
const callers = Number(process.argv[3] ?? 64);
const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `wave25_batched_probe_${process.pid}`;

type Kind = 'begin' | 'read' | 'write' | 'commit' | 'other';
const kindOf = (text: string): Kind => {
  const head = text.trimStart().slice(0, 40).toLowerCase();
  if (head.startsWith('start transaction') || head.startsWith('begin')) return 'begin';
  if (head.startsWith('commit')) return 'commit';
  if (/insert into/i.test(text)) return 'write';
  if (/for update/i.test(text)) return 'read';
  if (head.startsWith('with')) return 'write';
  return 'other';
};
export const texts = new Map<Kind, string>();
const spent = new Map<Kind, { count: number; ns: bigint }>();
const explained: string[] = [];
let writes = 0;
let gapNs = 0n;
let idleNs = 0n; // between a COMMIT's answer and the next batch's first statement (any connection)
let lastCommitEnd: bigint | null = null;
let begunWith = 0; // statements that carried the transaction's BEGIN // between a read's answer and the write's send (admission in Node)
let recording = false;

const pool = new pg.Pool({ connectionString: url, max: 16 });
const timed = {
  async connect() {
    const client = await pool.connect();
    let lastReadEnd: bigint | null = null;
    return new Proxy(client, {
      get(target, name, receiver) {
        if (name !== 'query') return Reflect.get(target, name, receiver);
        return async (sent: string | { text: string }, values?: unknown[]) => {
          // A query object: the store sent a held BEGIN with this statement.
          const text = typeof sent === 'string' ? sent : sent.text;
          const kind = kindOf(text);
          if (recording && typeof sent !== 'string') begunWith += 1;
          if (recording && !texts.has(kind)) texts.set(kind, text);
          if (
            recording &&
            kind === 'write' &&
            process.env.EXPLAIN &&
            explained.length < 3 &&
            ++writes % 80 === 0
          ) {
            await target.query('SAVEPOINT probe');
            const plan = await target.query(`EXPLAIN (ANALYZE, BUFFERS) ${text}`, values);
            await target.query('ROLLBACK TO SAVEPOINT probe');
            explained.push(
              plan.rows.map((row: Record<string, string>) => row['QUERY PLAN']).join('\n'),
            );
          }
          const start = process.hrtime.bigint();
          if (recording && kind === 'write' && lastReadEnd !== null) gapNs += start - lastReadEnd;
          if (recording && kind === 'read' && lastCommitEnd !== null)
            idleNs += start - lastCommitEnd;
          try {
            if (typeof sent === 'string') return await target.query(text, values);
            // A query object answers through its callback: wait for it to time it.
            const query = sent as unknown as {
              callback: (error: unknown, result: unknown) => void;
            };
            const answered = query.callback;
            await new Promise<void>((done) => {
              query.callback = (error, result) => {
                answered(error, result);
                done();
              };
              target.query(sent as never);
            });
            return undefined;
          } finally {
            const end = process.hrtime.bigint();
            if (recording) {
              const entry = spent.get(kind) ?? { count: 0, ns: 0n };
              entry.count += 1;
              entry.ns += end - start;
              spent.set(kind, entry);
            }
            lastReadEnd = kind === 'read' ? end : null;
            if (kind === 'commit') lastCommitEnd = end;
          }
        };
      },
    });
  },
  end: () => pool.end(),
};

const store = createPostgresStockStore({ pool: timed as never, schema, migrate: true });
await (store as unknown as { migrate(): Promise<unknown> }).migrate();
const stockroom = createStockroom({ store, policies: { locking: () => 'optimistic' } });
await stockroom.warehouses.create({ id: 'wh', name: 'wh' });
const sku = 'HOT-1';
await stockroom.adjustments.adjust({
  sku,
  warehouseId: 'wh',
  type: 'RESTOCK',
  quantity: total * 2,
});

async function run(count: number) {
  let left = count;
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (left > 0) {
        left -= 1;
        await stockroom.reservations.reserve({ items: [{ sku, quantity: 1 }] });
      }
    }),
  );
}
await run(2000); // warm-up
const batchesBefore = stockroom.stats.batches.count;
recording = true;
const cpu = process.cpuUsage();
const t0 = process.hrtime.bigint();
await run(total);
const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
const used = process.cpuUsage(cpu);
recording = false;
const batches = stockroom.stats.batches.count - batchesBefore;
const cpuMs = (used.user + used.system) / 1000;
console.log(
  `reservations ${total}, batches ${batches} (avg ${(total / batches).toFixed(1)}), wall ${wallMs.toFixed(0)} ms, ${(total / (wallMs / 1000)).toFixed(0)} res/s`,
);
console.log(
  `per batch: wall ${(wallMs / batches).toFixed(2)} ms, Node CPU ${(cpuMs / batches).toFixed(2)} ms (${((cpuMs * 1000) / total).toFixed(1)} µs a reservation, ${((100 * cpuMs) / wallMs).toFixed(0)} % of wall)`,
);
for (const [kind, entry] of spent) {
  console.log(
    `  ${kind.padEnd(7)} ${entry.count} statements, ${(entry.count / batches).toFixed(2)} a batch, avg ${(Number(entry.ns) / 1e6 / entry.count).toFixed(3)} ms`,
  );
}
console.log(
  `  between a COMMIT's answer and the next batch's first statement avg ${(Number(idleNs) / 1e6 / batches).toFixed(3)} ms`,
);
console.log(`  BEGIN sent with the next statement: ${begunWith} times`);
console.log(
  `  admission (read answered → write sent) avg ${(Number(gapNs) / 1e6 / batches).toFixed(3)} ms`,
);
for (const plan of explained) console.log(plan);
if (process.env.SHOW_SQL) for (const [kind, text] of texts) console.log(kind, text);
await store.close();
const client = new pg.Client({ connectionString: url });
await client.connect();
await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
await client.end();
await pool.end().catch(() => undefined);
