import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createPostgresStockStore } from '@stockroom/adapter-postgres';
import { readAll, replayLedger, reservedMismatches } from '@stockroom/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_URL, dropSchema, postgresSkipReason, uniqueSchema } from './support.js';

// Three server processes (the real entry point, each with its own pool) on one PostgreSQL
// schema under mixed keyed load: no internal conflict reaches a client, every invariant holds,
// and a keyed command sent to every instance at once takes effect once.

const PROCESSES = 3;
const CLIENTS = 24;
const COMMANDS_PER_CLIENT = 30;
const SKUS = Array.from({ length: 8 }, (_, index) => `MP-${index}`);
const WAREHOUSES = ['paris', 'berlin'] as const;
const ADMIN = `admin-${randomBytes(12).toString('hex')}`;
const serverDirectory = fileURLToPath(new URL('..', import.meta.url));

interface Instance {
  readonly child: ChildProcess;
  readonly url: string;
}

/** Starts `src/server.ts` in its own Node process; resolves once it listens. */
async function startProcess(schema: string, dataDir: string): Promise<Instance> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: serverDirectory,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL,
      DATABASE_SCHEMA: schema,
      STOCKROOM_DATA_DIR: dataDir,
      STOCKROOM_API_KEYS: `${ADMIN}:admin`,
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    errors += chunk.toString();
  });
  const lines = createInterface({ input: child.stdout! });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listen within 60 s: ${errors}`)), 60_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}: ${errors}`));
    });
    lines.on('line', (line) => {
      try {
        const entry = JSON.parse(line) as { msg?: string; port?: number };
        if (entry.msg === 'stockroom listening' && entry.port) {
          clearTimeout(timer);
          resolve(entry.port);
        }
      } catch {
        // not a log line
      }
    });
  });
  return { child, url: `http://127.0.0.1:${port}` };
}

async function stopProcess(instance: Instance): Promise<void> {
  if (instance.child.exitCode !== null) return;
  const exited = new Promise((resolve) => instance.child.once('exit', resolve));
  instance.child.kill('SIGTERM');
  await exited;
}

interface Answer {
  readonly status: number;
  readonly text: string;
  readonly replayed: boolean;
  // biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field
  readonly body: any;
}

async function post(url: string, path: string, body: unknown, key: string): Promise<Answer> {
  const response = await fetch(`${url}/api/v1${path}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${ADMIN}`,
      'content-type': 'application/json',
      'idempotency-key': key,
    },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    text,
    replayed: response.headers.get('idempotent-replayed') === 'true',
    body: text ? JSON.parse(text) : null,
  };
}

const skip = await postgresSkipReason();

describe.skipIf(skip)('several server processes on one PostgreSQL', () => {
  const schema = uniqueSchema('multi');
  let dataDir: string;
  const instances: Instance[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'stockroom-multi-'));
    // The first process migrates the schema; the others start on it.
    instances.push(await startProcess(schema, dataDir));
    instances.push(
      ...(await Promise.all(
        Array.from({ length: PROCESSES - 1 }, () => startProcess(schema, dataDir)),
      )),
    );
    const [first] = instances;
    for (const id of WAREHOUSES) {
      const answer = await post(first!.url, '/warehouses', { id, name: id }, `setup-${id}`);
      expect(answer.status, answer.text).toBe(201);
    }
    const seeded = await post(
      first!.url,
      '/inventory/bulk-update',
      {
        mode: 'set',
        atomic: true,
        items: SKUS.flatMap((sku) =>
          WAREHOUSES.map((warehouseId) => ({ sku, warehouseId, quantity: 3000 })),
        ),
      },
      'setup-stock',
    );
    expect(seeded.status, seeded.text).toBe(200);
  }, 180_000);

  afterAll(async () => {
    await Promise.all(instances.map(stopProcess));
    await dropSchema(schema);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }, 60_000);

  it(`${PROCESSES} processes × mixed keyed load: no conflict, no 5xx, every invariant`, {
    timeout: 240_000,
  }, async () => {
    const answers: Array<{ path: string; answer: Answer }> = [];
    const send = async (client: number, path: string, body: unknown, key: string) => {
      const answer = await post(instances[client % PROCESSES]!.url, path, body, key);
      answers.push({ path, answer });
      return answer;
    };
    const races: string[] = [];
    /** The same keyed request to every process at once: one effect, the others replays. */
    const everywhere = async (path: string, body: unknown, key: string) => {
      const results = await Promise.all(
        instances.map((instance) => post(instance.url, path, body, key)),
      );
      for (const result of results) answers.push({ path, answer: result });
      const texts = new Set(results.map((result) => result.text));
      const replays = results.filter((result) => result.replayed).length;
      if (texts.size !== 1 || replays !== PROCESSES - 1)
        races.push(`${path}: ${texts.size} answers, ${replays} replays`);
      return results[0]!;
    };
    const client = async (number: number) => {
      const holds: string[] = [];
      for (let step = 0; step < COMMANDS_PER_CLIENT; step += 1) {
        const key = `mp-${number}-${step}`;
        const sku = SKUS[(number * 7 + step * 3) % SKUS.length]!;
        const other = SKUS[(number + step + 1) % SKUS.length]!;
        const warehouseId = WAREHOUSES[step % 2]!;
        const kind = step % 10;
        if (kind < 5 || holds.length === 0) {
          const items =
            sku === other
              ? [{ sku, quantity: 1 }]
              : [
                  { sku, quantity: 1 },
                  { sku: other, quantity: 1 },
                ];
          const body = { items };
          const answer =
            step % 13 === 0
              ? await everywhere('/reservations', body, key)
              : await send(number, '/reservations', body, key);
          if (answer.status === 201) holds.push(answer.body.reservationId);
        } else if (kind < 7) {
          await send(number, `/reservations/${holds.shift()}/commit`, {}, key);
        } else if (kind < 8) {
          await send(number, `/reservations/${holds.shift()}/release`, {}, key);
        } else if (kind < 9) {
          await send(
            number,
            '/inventory/adjust',
            { sku, warehouseId, type: 'RESTOCK', quantity: 2 },
            key,
          );
        } else {
          const created = await send(
            number,
            '/transfers',
            {
              sku,
              fromWarehouseId: warehouseId,
              toWarehouseId: WAREHOUSES[(step + 1) % 2],
              quantity: 1,
            },
            key,
          );
          if (created.status === 201) {
            await send(number + 1, `/transfers/${created.body.id}/ship`, {}, `${key}-ship`);
            await send(number + 2, `/transfers/${created.body.id}/receive`, {}, `${key}-receive`);
          }
        }
      }
    };
    await Promise.all([
      ...Array.from({ length: CLIENTS }, (_, number) => client(number)),
      everywhere('/admin/jobs/expire-reservations/run', {}, 'mp-job-run'),
    ]);

    expect(answers.length).toBeGreaterThanOrEqual(CLIENTS * COMMANDS_PER_CLIENT);
    expect(
      answers
        .filter(({ answer }) => answer.status >= 300)
        .map(({ path, answer }) => `${path} ${answer.status} ${answer.text}`),
    ).toEqual([]);
    expect(races).toEqual([]);

    const store = createPostgresStockStore({ connectionString: DATABASE_URL, schema, poolSize: 2 });
    try {
      expect(await replayLedger(store)).toEqual([]);
      expect(await reservedMismatches(store)).toEqual([]);
      const rows = await readAll((page) => store.reads.allStock(page));
      expect(rows.filter((row) => row.available < 0 || row.reserved < 0)).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
