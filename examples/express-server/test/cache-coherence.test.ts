import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteStockStore } from '@stockroom/adapter-sqlite';
import { createStockroom } from '@stockroom/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restock } from './suites/helpers.js';
import {
  DATABASE_URL,
  dropSchema,
  postgresSkipReason,
  startTestServer,
  type TestServer,
  uniqueSchema,
} from './support.js';

async function available(server: TestServer, sku: string): Promise<number> {
  const answer = await server.call('GET', `/api/v1/inventory/check?sku=${sku}&quantity=1`);
  expect(answer.status, answer.text).toBe(200);
  return answer.body.availableQuantity;
}

describe('SQLite without Redis: a write from another process is seen by the next check', () => {
  let dataDir: string;
  let server: TestServer;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'stockroom-coherence-'));
    server = await startTestServer({ kind: 'sqlite' }, { STOCKROOM_DATA_DIR: dataDir });
  });
  afterAll(async () => {
    await server?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('seeding from a second connection while the server runs (as the README suggests)', async () => {
    const created = await server.call('POST', '/api/v1/warehouses', {
      body: { id: 'lyon', name: 'Lyon' },
    });
    expect(created.status, created.text).toBe(201);
    await restock(server, 'COH-TEE', 'lyon', 2);
    expect(await available(server, 'COH-TEE')).toBe(2);
    expect(await available(server, 'COH-TEE')).toBe(2);

    // Another writer on the same file (what `npm run seed` in a second terminal is).
    const other = createStockroom({
      store: await createSqliteStockStore({ filename: join(dataDir, 'stockroom.db') }),
    });
    try {
      await other.warehouses.create({ id: 'nice', name: 'Nice' });
      await other.adjustments.adjust({
        sku: 'COH-TEE',
        warehouseId: 'nice',
        type: 'RESTOCK',
        quantity: 75,
      });
    } finally {
      await other.close();
    }
    expect(await available(server, 'COH-TEE')).toBe(77);
    const reserved = await server.call('POST', '/api/v1/reservations', {
      body: { items: [{ sku: 'COH-TEE', quantity: 10 }] },
    });
    expect(reserved.status, reserved.text).toBe(201);
    expect(await available(server, 'COH-TEE')).toBe(67);
  });
});

const skip = await postgresSkipReason();

describe.skipIf(skip)('PostgreSQL without Redis: two server instances on one schema', () => {
  const schema = uniqueSchema('coherence');
  let first: TestServer;
  let second: TestServer;
  beforeAll(async () => {
    first = await startTestServer({ kind: 'postgres', url: DATABASE_URL, schema });
    second = await startTestServer({ kind: 'postgres', url: DATABASE_URL, schema });
  }, 60_000);
  afterAll(async () => {
    await first?.close();
    await second?.close();
    await dropSchema(schema);
  });

  it('a write through one instance is seen by the next check on the other', async () => {
    const created = await first.call('POST', '/api/v1/warehouses', {
      body: { id: 'lyon', name: 'Lyon' },
    });
    expect(created.status, created.text).toBe(201);
    await restock(first, 'COH-CAP', 'lyon', 5);
    expect(await available(second, 'COH-CAP')).toBe(5);
    expect(await available(second, 'COH-CAP')).toBe(5);
    for (const [quantity, total] of [
      [1, 6],
      [2, 8],
      [3, 11],
    ] as const) {
      await restock(first, 'COH-CAP', 'lyon', quantity);
      expect(await available(second, 'COH-CAP')).toBe(total);
    }
    // Component details are shown to an admin key only.
    const ready = await second.call('GET', '/readyz');
    expect(ready.body.components.cache).toMatchObject({ status: 'up', kind: 'in-process' });
  });
});
