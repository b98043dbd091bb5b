import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, restock } from './suites/helpers.js';
import { startTestServer, type TestServer } from './support.js';

const CLI = fileURLToPath(new URL('../../../packages/cli/dist/cli.js', import.meta.url));

function cli(args: readonly string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], (error, stdout) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout });
    });
  });
}

/** Reads server-sent events from a stream until `wanted` says stop (or `ms` pass). */
async function readEvents(
  response: Response,
  wanted: (events: { event: string; id: string; data: { type: string } }[]) => boolean,
  ms = 10_000,
) {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const events: { event: string; id: string; data: { type: string } }[] = [];
  let buffer = '';
  const deadline = setTimeout(() => reader.cancel(), ms);
  try {
    while (!wanted(events)) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
        const fields = Object.fromEntries(
          buffer
            .slice(0, end)
            .split('\n')
            .filter((line) => /^(id|event|data):/.test(line))
            .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)]),
        );
        buffer = buffer.slice(end + 2);
        if (fields.data) {
          events.push({
            event: fields.event ?? 'message',
            id: fields.id ?? '',
            data: JSON.parse(fields.data),
          });
        }
      }
    }
  } finally {
    clearTimeout(deadline);
    await reader.cancel().catch(() => {});
  }
  return events;
}

describe('operator pages, listings and the live event stream', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ kind: 'sqlite' });
    const created = await server.call('POST', '/api/v1/warehouses', {
      body: { id: 'paris', name: 'Paris' },
    });
    expect(created.status, created.text).toBe(201);
    await restock(server, 'MUG-RED', 'paris', 10);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('redirects / to the dashboard and serves it with a strict content policy', async () => {
    const root = await fetch(`${server.url}/`, { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/dashboard/');
    const bare = await fetch(`${server.url}/dashboard`, { redirect: 'manual' });
    expect(bare.headers.get('location')).toBe('/dashboard/');
    const page = await server.call('GET', '/dashboard/', { as: 'none' });
    expect(page.status).toBe(200);
    expect(page.text).toContain('<script src="dashboard.js" defer></script>');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    for (const asset of ['dashboard.js', 'dashboard.css']) {
      expect((await server.call('GET', `/dashboard/${asset}`, { as: 'none' })).status).toBe(200);
    }
  });

  it('lists reservations by status and counts recent movements', async () => {
    const held = await server.call('POST', '/api/v1/reservations', {
      as: 'storefront',
      body: { items: [{ sku: 'MUG-RED', quantity: 3 }], orderId: 'order-1' },
    });
    expect(held.status, held.text).toBe(201);
    const active = await server.call('GET', '/api/v1/reservations?status=ACTIVE', {
      as: 'readonly',
    });
    expect(active.status, active.text).toBe(200);
    expect(active.body.items.map((item: { reservationId: string }) => item.reservationId)).toEqual([
      held.body.reservationId,
    ]);
    const committed = await server.call('GET', '/api/v1/reservations?status=COMMITTED');
    expect(committed.body).toEqual({ items: [], nextCursor: null });
    expectProblem(
      await server.call('GET', '/api/v1/reservations?status=LOST'),
      400,
      'VALIDATION_FAILED',
    );

    const summary = await server.call('GET', '/api/v1/movements/summary?hours=1', {
      as: 'readonly',
    });
    expect(summary.status, summary.text).toBe(200);
    expect(summary.body).toMatchObject({ bucketMinutes: 3, total: 2, truncated: false });
    expect(summary.body.buckets).toHaveLength(24);
    expect(summary.body.buckets[23]).toMatchObject({
      movements: { RESTOCK: 1, RESERVATION: 1 },
      units: { RESTOCK: 10, RESERVATION: 3 },
    });
    expectProblem(
      await server.call('GET', '/api/v1/movements/summary?hours=49'),
      400,
      'VALIDATION_FAILED',
    );
  });

  it('refuses a query parameter or a malformed Idempotency-Key on the stream (400), before streaming', async () => {
    const { KEYS } = await import('./support.js');
    for (const [query, headers] of [
      ['?zz=1', {}],
      ['?limit=abc', {}],
      ['', { 'idempotency-key': 'has space' }],
    ] as const) {
      const answer = await fetch(`${server.url}/api/v1/events/stream${query}`, {
        headers: { authorization: `Bearer ${KEYS.readonly}`, ...headers },
      });
      const type = answer.headers.get('content-type');
      if (type?.startsWith('text/event-stream')) await answer.body?.cancel();
      expect({ status: answer.status, type }, query).toEqual({
        status: 400,
        type: expect.stringMatching(/^application\/problem\+json/),
      });
      expect(((await answer.json()) as { code?: string }).code).toBe('VALIDATION_FAILED');
    }
  });

  it('streams delivered events to any role, and refuses a missing key', async () => {
    const anonymous = await fetch(`${server.url}/api/v1/events/stream`);
    expect(anonymous.status).toBe(401);
    await anonymous.body?.cancel();

    const stream = await fetch(`${server.url}/api/v1/events/stream`, {
      headers: { authorization: `Bearer ${(await import('./support.js')).KEYS.readonly}` },
    });
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const held = await server.call('POST', '/api/v1/reservations', {
      as: 'storefront',
      body: { items: [{ sku: 'MUG-RED', quantity: 1 }], orderId: 'order-live' },
    });
    expect(held.status).toBe(201);
    const relayed = await server.call('POST', '/api/v1/admin/jobs/relay-outbox/run');
    expect(relayed.status, relayed.text).toBe(200);
    const events = await readEvents(stream, (seen) =>
      seen.some(
        (event) =>
          event.event === 'inventory.reserved' &&
          JSON.stringify(event.data).includes(held.body.reservationId),
      ),
    );
    const reserved = events.filter((event) => event.event === 'inventory.reserved');
    expect(reserved.length).toBeGreaterThanOrEqual(1);
    expect(reserved.at(-1)!.id).toBe((reserved.at(-1)!.data as { id?: string }).id);

    // Reconnecting after that event replays nothing older.
    const again = await fetch(`${server.url}/api/v1/events/stream`, {
      headers: {
        authorization: `Bearer ${(await import('./support.js')).KEYS.admin}`,
        'last-event-id': events.at(-1)!.id,
      },
    });
    const replay = await readEvents(again, () => false, 500);
    expect(replay).toEqual([]);
  });
});

describe.skipIf(!existsSync(CLI) && 'the CLI is not built')(
  'API keys from `stockroom keys`',
  () => {
    let server: TestServer;
    let dataDir: string;
    beforeAll(async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'stockroom-keys-'));
      server = await startTestServer({ kind: 'memory' }, { STOCKROOM_DATA_DIR: dataDir });
    });
    afterAll(async () => {
      await server?.close();
      await rm(dataDir, { recursive: true, force: true });
    });

    it('accepts a key the CLI created, with its role, and refuses it once revoked', async () => {
      const created = await cli([
        'keys',
        'create',
        '--role',
        'readonly',
        '--data-dir',
        dataDir,
        '--json',
      ]);
      expect(created.code).toBe(0);
      const { key, id } = JSON.parse(created.stdout);
      const call = (method: string, path: string, body?: unknown) =>
        fetch(`${server.url}${path}`, {
          method,
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
      // Within a second of the file changing.
      let status = 0;
      for (let attempt = 0; attempt < 30 && status !== 200; attempt += 1) {
        status = (await call('GET', '/api/v1/warehouses')).status;
        if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(status).toBe(200);
      expect((await call('POST', '/api/v1/warehouses', { id: 'x', name: 'X' })).status).toBe(403);

      expect((await cli(['keys', 'revoke', id, '--data-dir', dataDir])).code).toBe(0);
      for (let attempt = 0; attempt < 30 && status !== 401; attempt += 1) {
        status = (await call('GET', '/api/v1/warehouses')).status;
        if (status !== 401) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(status).toBe(401);
    });
  },
);
