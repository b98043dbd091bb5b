import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, restock } from './suites/helpers.js';
import { type Answer, startTestServer, type TestServer } from './support.js';

describe('rate limiting (in memory)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ kind: 'memory' }, { STOCKROOM_RATE_LIMIT_PER_MINUTE: '3' });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('answers 429 RATE_LIMITED with Retry-After once a key is over its limit, per key and per minute', async () => {
    server.clock.set('2026-03-01T09:00:15.000Z');
    for (let index = 0; index < 3; index += 1) {
      expect((await server.call('GET', '/api/v1/warehouses', { as: 'readonly' })).status).toBe(200);
    }
    const limited = await server.call('GET', '/api/v1/warehouses', { as: 'readonly' });
    expectProblem(limited, 429, 'RATE_LIMITED');
    expect(limited.headers.get('retry-after')).toBe('45');
    expect((await server.call('GET', '/api/v1/warehouses', { as: 'storefront' })).status).toBe(200);
    expect((await server.call('GET', '/healthz', { as: 'none' })).status).toBe(200);
    server.clock.advance(45_000);
    expect((await server.call('GET', '/api/v1/warehouses', { as: 'readonly' })).status).toBe(200);
  });
});

describe('the generated admin key', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'stockroom-keys-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('is created on first start (0600, in the data dir), reused afterwards, and works', async () => {
    const env = { STOCKROOM_API_KEYS: '', STOCKROOM_DATA_DIR: dataDir, DATABASE_URL: 'memory:' };
    const first = await startTestServer({ kind: 'memory' }, env);
    const generated = first.service.adminKey;
    await first.close();
    expect(generated).toMatchObject({ created: true, path: join(dataDir, 'admin-api-key') });
    expect(generated?.key).toMatch(/^sk_admin_[A-Za-z0-9_-]{32}$/);
    expect((await readFile(join(dataDir, 'admin-api-key'), 'utf8')).trim()).toBe(generated?.key);
    expect((await stat(join(dataDir, 'admin-api-key'))).mode & 0o777).toBe(0o600);

    const second = await startTestServer({ kind: 'memory' }, env);
    try {
      expect(second.service.adminKey).toEqual({ ...generated, created: false });
      const withKey = await second.call('POST', '/api/v1/warehouses', {
        as: 'none',
        headers: { authorization: `Bearer ${generated?.key}` },
        body: { id: 'w1', name: 'W1' },
      });
      expect(withKey.status).toBe(201);
      expectProblem(
        await second.call('GET', '/api/v1/warehouses', { as: 'admin' }),
        401,
        'UNAUTHORIZED',
      );
    } finally {
      await second.close();
    }
  });
});

describe('demo data (STOCKROOM_DEMO=1)', () => {
  it('loads five warehouses in five cities and 300 SKUs, once', async () => {
    const server = await startTestServer({ kind: 'sqlite' }, { STOCKROOM_DEMO: '1' });
    try {
      const warehouses = await server.call('GET', '/api/v1/warehouses');
      expect(warehouses.body.items.map((item: { city: string }) => item.city).sort()).toEqual([
        'Berlin',
        'London',
        'Madrid',
        'New York',
        'Paris',
      ]);
      for (const item of warehouses.body.items) expect(item.latitude).toEqual(expect.any(Number));
      const tour = await server.call('GET', '/api/v1/inventory/TSHIRT-BLACK-M');
      expect(tour.body).toMatchObject({ available: 77, reserved: 0 });
      const skus = new Set<string>();
      for (const warehouse of warehouses.body.items) {
        let cursor: string | null = null;
        do {
          const page: Answer = await server.call(
            'GET',
            `/api/v1/inventory/warehouses/${warehouse.id}/stock?limit=1000${cursor ? `&cursor=${cursor}` : ''}`,
          );
          for (const row of page.body.items) skus.add(row.sku);
          cursor = page.body.nextCursor;
        } while (cursor);
      }
      expect(skus.size).toBe(300);
      expect(
        (await server.call('GET', '/api/v1/inventory/low-stock')).body.items.length,
      ).toBeGreaterThan(10);
      const { seedDemoData } = await import('../src/demo-data.js');
      expect(await seedDemoData(server.service.stockroom)).toEqual({
        seeded: false,
        warehouses: 0,
        rows: 0,
        skus: 0,
      });
    } finally {
      await server.close();
    }
  });
});

describe('graceful shutdown', () => {
  it('finishes in-flight requests, then relays the outbox once more', async () => {
    const server = await startTestServer({ kind: 'sqlite' });
    await server.call('POST', '/api/v1/warehouses', { body: { id: 'paris', name: 'Paris' } });
    await restock(server, 'SHUT-1', 'paris', 100);
    await server.call('POST', '/api/v1/admin/jobs/relay-outbox/run');
    const before = server.publisher.events.length;
    let seen = 0;
    let closing: Promise<void> | undefined;
    server.service.server.on('request', () => {
      seen += 1;
      if (seen === 30) closing = server.close();
    });
    const answers = await Promise.all(
      Array.from({ length: 30 }, () =>
        server.call('POST', '/api/v1/reservations', {
          as: 'storefront',
          body: { items: [{ sku: 'SHUT-1', quantity: 1 }] },
        }),
      ),
    );
    await closing;
    expect(answers.map((answer) => answer.status)).toEqual(Array(30).fill(201));
    const reserved = server.publisher.events
      .slice(before)
      .filter((event) => event.type === 'inventory.reserved');
    expect(reserved).toHaveLength(30);
    await expect(server.call('GET', '/healthz', { as: 'none' })).rejects.toThrow();
  });
});

describe('a store that stops answering', () => {
  it('answers 503 STORE_UNAVAILABLE with Retry-After, and /readyz reports the store down', async () => {
    const server = await startTestServer({ kind: 'sqlite' });
    try {
      await server.call('POST', '/api/v1/warehouses', { body: { id: 'paris', name: 'Paris' } });
      await server.service.stockroom.store.close();
      const answer = await server.call('GET', '/api/v1/warehouses/paris');
      expectProblem(answer, 503, 'STORE_UNAVAILABLE');
      expect(answer.headers.get('retry-after')).toBe('1');
      const ready = await server.call('GET', '/readyz', { as: 'none' });
      expect(ready.status).toBe(503);
      // Without a key, only the status: a failing component's error may name a host.
      expect(ready.body).toEqual({ status: 'not-ready' });
      const detailed = await server.call('GET', '/readyz', { as: 'admin' });
      expect(detailed.body.components.store.status).toBe('down');
    } finally {
      await server.close();
    }
  });
});

describe('start-up failures', () => {
  it('rejects with the listen error when the port is taken, releasing what it opened', async () => {
    const first = await startTestServer({ kind: 'memory' });
    try {
      await expect(
        startTestServer({ kind: 'sqlite' }, { PORT: String(first.service.port) }),
      ).rejects.toMatchObject({
        code: 'EADDRINUSE',
      });
    } finally {
      await first.close();
    }
  });
});
