// A second Node process for the two-process hot-SKU test. Run with `node --import tsx` from the
// package directory. Connects, prints `ready`, waits for `go` on stdin (so both processes start
// together), runs its share of the load and prints the result as one JSON line.
import { createInterface } from 'node:readline';
import { createPostgresStockStore } from '../src/index.js';
import { hotSkuLoad } from './hot-sku-load.js';

const [schema, locking, requests, callers, poolSize] = process.argv.slice(2);
const store = createPostgresStockStore({
  connectionString: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  schema: schema!,
  poolSize: Number(poolSize),
});
await store.ping();
process.stdout.write('ready\n');
const lines = createInterface({ input: process.stdin });
for await (const line of lines) if (line === 'go') break;
const result = await hotSkuLoad({
  store,
  sku: 'HOT',
  requests: Number(requests),
  callers: Number(callers),
  locking: locking === 'pessimistic' ? 'pessimistic' : 'optimistic',
});
await store.close();
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
