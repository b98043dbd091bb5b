import { type ClientRequest, request as httpRequest } from 'node:http';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, startTestServer, type TestServer } from './support.js';

/** One request as sent on the wire: every header and byte chosen by the case. */
interface Case {
  readonly name: string;
  readonly method: string;
  readonly path: string;
  readonly as?: keyof typeof KEYS | 'none';
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
  /** Sends the body in this many writes, each after the last was flushed (default one). */
  readonly pieces?: number;
  /** The plain form the direct path serves itself (the others go to the Express app). */
  readonly direct: boolean;
}

interface Seen {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

const JSON_TYPE = { 'content-type': 'application/json' };
const reserve = (items: unknown) => JSON.stringify({ items });

function send(url: string, item: Case): Promise<Seen> {
  const target = new URL(item.path, url);
  const headers: Record<string, string | number> = { ...item.headers };
  const as = item.as ?? 'admin';
  if (as !== 'none') headers.authorization = `Bearer ${KEYS[as]}`;
  if (item.body !== undefined) headers['content-length'] = Buffer.byteLength(item.body);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      { host: target.hostname, port: target.port, method: item.method, path: item.path, headers },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    outgoing.on('error', reject);
    if (item.pieces === undefined || item.body === undefined) {
      outgoing.end(item.body);
      return;
    }
    writeInPieces(outgoing, Buffer.from(item.body), item.pieces).catch(reject);
  });
}

/** Writes `body` in `pieces` parts, each once the one before it was handed to the socket. */
async function writeInPieces(outgoing: ClientRequest, body: Buffer, pieces: number) {
  const size = Math.ceil(body.length / pieces);
  outgoing.flushHeaders();
  for (let start = 0; start < body.length; start += size) {
    const piece = body.subarray(start, start + size);
    if (start + size >= body.length) {
      outgoing.end(piece);
      return;
    }
    await new Promise<void>((resolve, reject) =>
      outgoing.write(piece, (error) => (error ? reject(error) : resolve())),
    );
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/** An answer without what differs between two servers by design (time, request id, new ids). */
function comparable(seen: Seen) {
  const { date: _date, 'x-request-id': requestId, ...headers } = seen.headers;
  expect(requestId).toEqual(expect.any(String));
  return { status: seen.status, headers, body: seen.body.replace(UUID, '<uuid>') };
}

/** Log lines as objects, in a list a test can read. */
function capturedLogger() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: pino({ level: 'info' }, stream) };
}

/** What two servers' request log lines must agree on. */
function logged(line: Record<string, unknown>) {
  const request = line.req as Record<string, unknown>;
  const { host: _host, ...headers } = request.headers as Record<string, unknown>;
  return {
    level: line.level,
    msg: line.msg,
    keyId: line.keyId,
    status: (line.res as { statusCode?: number }).statusCode,
    request: {
      method: request.method,
      url: request.url,
      query: request.query,
      params: request.params,
      headers,
    },
  };
}

async function directCount(server: TestServer): Promise<number> {
  const text = (await server.call('GET', '/metrics', { as: 'none' })).text;
  return Number(/^http_direct_requests_total (\d+)/m.exec(text)?.[1] ?? Number.NaN);
}

/** Requests-per-route counts of `http_request_duration_seconds`, by method, route and status. */
async function requestCounts(server: TestServer): Promise<string[]> {
  const text = (await server.call('GET', '/metrics', { as: 'none' })).text;
  return [...text.matchAll(/^http_request_duration_seconds_count(\{[^}]*\}) (\d+)/gm)]
    .filter((match) => !match[1]!.includes('route="/metrics"'))
    .map((match) => `${match[1]} ${match[2]}`)
    .sort();
}

/**
 * The direct path (direct-routes.ts) against the Express app: two servers that differ only in
 * `directRoutes`, the same requests in the same order to both, and every answer — status,
 * headers, body —, request log line and request metric compared. The plain cases must be
 * served directly on the first server (counted), the others by Express on both.
 */
describe('direct routes answer exactly as the Express app', () => {
  const logs = { direct: capturedLogger(), express: capturedLogger() };
  let direct: TestServer;
  let express: TestServer;
  let limitedDirect: TestServer;
  let limitedExpress: TestServer;

  beforeAll(async () => {
    [direct, express, limitedDirect, limitedExpress] = await Promise.all([
      startTestServer({ kind: 'sqlite' }, { LOG_LEVEL: 'info' }, { logger: logs.direct.logger }),
      startTestServer(
        { kind: 'sqlite' },
        { LOG_LEVEL: 'info' },
        { logger: logs.express.logger, directRoutes: false },
      ),
      startTestServer({ kind: 'sqlite' }, { STOCKROOM_RATE_LIMIT_PER_MINUTE: '3' }),
      startTestServer(
        { kind: 'sqlite' },
        { STOCKROOM_RATE_LIMIT_PER_MINUTE: '3' },
        { directRoutes: false },
      ),
    ]);
  });
  afterAll(async () => {
    await Promise.all([direct, express, limitedDirect, limitedExpress].map((s) => s?.close()));
  });

  const check = (query: string) => `/api/v1/inventory/check?${query}`;
  const cases: Case[] = [
    {
      name: 'create a warehouse',
      method: 'POST',
      path: '/api/v1/warehouses',
      headers: JSON_TYPE,
      body: JSON.stringify({ id: 'paris', name: 'Paris', latitude: 48.85, longitude: 2.35 }),
      direct: true,
    },
    {
      name: 'create it again (409)',
      method: 'POST',
      path: '/api/v1/warehouses',
      headers: JSON_TYPE,
      body: JSON.stringify({ id: 'paris', name: 'Paris' }),
      direct: true,
    },
    {
      name: 'restock',
      method: 'POST',
      path: '/api/v1/inventory/adjust',
      headers: JSON_TYPE,
      body: JSON.stringify({ sku: 'A 1', warehouseId: 'paris', type: 'RESTOCK', quantity: 5 }),
      direct: true,
    },
    { name: 'check', method: 'GET', path: check('sku=A%201&quantity=2'), direct: true },
    { name: 'check with +', method: 'GET', path: check('sku=A+1&quantity=9'), direct: true },
    {
      name: 'check, readonly, near',
      method: 'GET',
      path: check('sku=A%201&quantity=1&latitude=48&longitude=2'),
      as: 'readonly',
      direct: true,
    },
    {
      name: 'check, capped key',
      method: 'GET',
      path: check('sku=A%201&quantity=1'),
      as: 'cappedStorefront',
      direct: true,
    },
    {
      name: 'check, channel key',
      method: 'GET',
      path: check('sku=A%201&quantity=1'),
      as: 'westStorefront',
      direct: true,
    },
    { name: 'check, unknown SKU', method: 'GET', path: check('sku=NOPE&quantity=1'), direct: true },
    { name: 'check, bad quantity', method: 'GET', path: check('sku=A&quantity=0'), direct: true },
    {
      name: 'check, twice a name',
      method: 'GET',
      path: check('sku=A&sku=B&quantity=1'),
      direct: true,
    },
    {
      name: 'check, unknown field',
      method: 'GET',
      path: check('sku=A&quantity=1&x=1'),
      direct: true,
    },
    {
      name: 'check, half a location',
      method: 'GET',
      path: check('sku=A&quantity=1&latitude=1'),
      direct: true,
    },
    { name: 'check, no query', method: 'GET', path: '/api/v1/inventory/check', direct: true },
    {
      name: 'check, malformed Idempotency-Key',
      method: 'GET',
      path: check('sku=A&quantity=1'),
      headers: { 'idempotency-key': 'k'.repeat(256) },
      direct: true,
    },
    {
      name: 'check with a JSON body',
      method: 'GET',
      path: check('sku=A&quantity=1'),
      headers: JSON_TYPE,
      body: '{"ignored":true}',
      direct: true,
    },
    {
      name: 'check with a body that is not JSON',
      method: 'GET',
      path: check('sku=A&quantity=1'),
      headers: JSON_TYPE,
      body: '{nope',
      direct: true,
    },
    {
      name: 'check, bad encoding',
      method: 'GET',
      path: check('sku=%ff&quantity=1'),
      direct: false,
    },
    {
      name: 'check, no key',
      method: 'GET',
      path: check('sku=A&quantity=1'),
      as: 'none',
      direct: false,
    },
    {
      name: 'check, trailing slash',
      method: 'GET',
      path: '/api/v1/inventory/check/?sku=A&quantity=1',
      direct: false,
    },
    {
      name: 'check, other case',
      method: 'GET',
      path: '/api/v1/Inventory/check?sku=A&quantity=1',
      direct: false,
    },
    { name: 'check, HEAD', method: 'HEAD', path: check('sku=A&quantity=1'), direct: false },
    {
      name: 'check, If-None-Match',
      method: 'GET',
      path: check('sku=A&quantity=1'),
      headers: { 'if-none-match': '*' },
      direct: false,
    },
    {
      name: 'reserve',
      method: 'POST',
      path: '/api/v1/reservations',
      headers: JSON_TYPE,
      body: reserve([{ sku: 'A 1', quantity: 1 }]),
      direct: true,
    },
    {
      name: 'reserve, storefront, charset',
      method: 'POST',
      path: '/api/v1/reservations',
      as: 'storefront',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: reserve([{ sku: 'A 1', quantity: 1 }]),
      direct: true,
    },
    {
      name: 'reserve with a BOM',
      method: 'POST',
      path: '/api/v1/reservations',
      headers: JSON_TYPE,
      body: Buffer.concat([
        Buffer.from([0xef, 0xbb, 0xbf]),
        Buffer.from(reserve([{ sku: 'A 1', quantity: 1 }])),
      ]),
      direct: true,
    },
    {
      name: 'reserve too much (409 with shortfalls)',
      method: 'POST',
      path: '/api/v1/reservations',
      headers: JSON_TYPE,
      body: reserve([{ sku: 'A 1', quantity: 50 }]),
      direct: true,
    },
    {
      name: 'reserve too much, capped key',
      method: 'POST',
      path: '/api/v1/reservations',
      as: 'cappedStorefront',
      headers: JSON_TYPE,
      body: reserve([{ sku: 'A 1', quantity: 50 }]),
      direct: true,
    },
    {
      name: 'reserve, channel key',
      method: 'POST',
      path: '/api/v1/reservations',
      as: 'westStorefront',
      headers: JSON_TYPE,
      body: reserve([{ sku: 'A 1', quantity: 1 }]),
      direct: true,
    },
    {
      name: 'reserve with a key',
      method: 'POST',
      path: '/api/v1/reservations',
      headers: { ...JSON_TYPE, 'idempotency-key': 'order-1' },
      body: reserve([{ sku: 'A 1', quantity: 1 }]),
      direct: true,
    },
    {
      name: 'reserve with the key again (replayed)',
      method: 'POST',
      path: '/api/v1/reservations',
      headers: { ...JSON_TYPE, 'idempotency-key': 'order-1' },
      body: reserve([{ sku: 'A 1', quantity: 1 }]),
      direct: true,
    },
    {
      name: 'reserve with the key and another body (422)',
      method: 'POST',
      path: '/api/v1/reservations',
      headers: { ...JSON_TYPE, 'idempotency-key': 'order-1' },
      body: reserve([{ sku: 'A 1', quantity: 2 }]),
      direct: true,
    },
    {
      name: 'reserve, a query string',
      method: 'POST',
      path: '/api/v1/reservations?x=1',
      headers: JSON_TYPE,
      body: reserve([{ sku: 'A 1', quantity: 1 }]),
      direct: true,
    },
    ...(
      [
        ['malformed JSON', '{"items": ['],
        ['a string', '"items"'],
        ['a number after spaces', ' \n 42'],
        ['an array', '[]'],
        ['an empty body', ''],
        ['an unknown field', JSON.stringify({ items: [{ sku: 'A 1', quantity: 1 }], x: 1 })],
        ['no items', '{}'],
        ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0x7d])],
      ] as const
    ).map(
      ([name, body]): Case => ({
        name: `reserve, ${name}`,
        method: 'POST',
        path: '/api/v1/reservations',
        headers: JSON_TYPE,
        body,
        direct: true,
      }),
    ),
    {
      // Node's client sends a POST without a body as chunked: Express reads it.
      name: 'reserve, no body (chunked)',
      method: 'POST',
      path: '/api/v1/reservations',
      direct: false,
    },
    {
      name: 'restock B',
      method: 'POST',
      path: '/api/v1/inventory/adjust',
      headers: JSON_TYPE,
      body: JSON.stringify({ sku: 'B', warehouseId: 'paris', type: 'RESTOCK', quantity: 5 }),
      direct: true,
    },
    {
      name: 'reserve, the body in three pieces',
      method: 'POST',
      path: '/api/v1/reservations',
      headers: JSON_TYPE,
      body: JSON.stringify({ items: [{ sku: 'B', quantity: 1 }], orderId: 'order-pieces' }),
      pieces: 3,
      direct: true,
    },
    {
      name: 'reserve, every field of the hand-checked form',
      method: 'POST',
      path: '/api/v1/reservations',
      headers: JSON_TYPE,
      body: JSON.stringify({
        ttlSeconds: 60,
        userId: 'user-1',
        items: [{ quantity: 1, warehouseId: 'paris', sku: 'B' }],
        orderId: 'order-plain',
      }),
      direct: true,
    },
    {
      name: 'reserve, a field the hand check leaves to the schema',
      method: 'POST',
      path: '/api/v1/reservations',
      headers: JSON_TYPE,
      body: JSON.stringify({ items: [{ sku: 'B', quantity: 1 }], strategy: 'priority' }),
      direct: true,
    },
    {
      name: 'reserve, ttlSeconds over the limit',
      method: 'POST',
      path: '/api/v1/reservations',
      headers: JSON_TYPE,
      body: JSON.stringify({ items: [{ sku: 'B', quantity: 1 }], ttlSeconds: 999_999 }),
      direct: true,
    },
    {
      name: 'reserve, readonly (403)',
      method: 'POST',
      path: '/api/v1/reservations',
      as: 'readonly',
      headers: JSON_TYPE,
      body: reserve([{ sku: 'A 1', quantity: 1 }]),
      direct: false,
    },
    {
      name: 'reserve, text/plain',
      method: 'POST',
      path: '/api/v1/reservations',
      headers: { 'content-type': 'text/plain' },
      body: reserve([{ sku: 'A 1', quantity: 1 }]),
      direct: false,
    },
    {
      name: 'reserve, latin1',
      method: 'POST',
      path: '/api/v1/reservations',
      headers: { 'content-type': 'application/json; charset=latin1' },
      body: reserve([{ sku: 'A 1', quantity: 1 }]),
      direct: false,
    },
    {
      name: 'reserve, a +json type',
      method: 'POST',
      path: '/api/v1/reservations',
      headers: { 'content-type': 'application/merge-patch+json' },
      body: reserve([{ sku: 'A 1', quantity: 1 }]),
      direct: false,
    },
    {
      name: 'reserve, gzip that is not',
      method: 'POST',
      path: '/api/v1/reservations',
      headers: { ...JSON_TYPE, 'content-encoding': 'gzip' },
      body: reserve([{ sku: 'A 1', quantity: 1 }]),
      direct: false,
    },
    {
      name: 'reserve, over 1 MiB',
      method: 'POST',
      path: '/api/v1/reservations',
      headers: JSON_TYPE,
      body: `{"items":[],"x":"${'x'.repeat(1024 * 1024)}"}`,
      direct: false,
    },
    {
      name: 'bulk update (16 MiB limit)',
      method: 'POST',
      path: '/api/v1/inventory/bulk-update',
      headers: JSON_TYPE,
      body: JSON.stringify({
        mode: 'delta',
        items: [{ sku: 'B', warehouseId: 'paris', quantity: 3 }],
      }),
      direct: true,
    },
    { name: 'low stock', method: 'GET', path: '/api/v1/inventory/low-stock', direct: true },
    { name: 'warehouses, a page', method: 'GET', path: '/api/v1/warehouses?limit=1', direct: true },
    {
      name: 'a reservation (param route)',
      method: 'GET',
      path: '/api/v1/reservations/nope',
      direct: false,
    },
  ];

  it('gives the same answers, log lines and metrics, and serves exactly the plain cases directly', async () => {
    const before = await directCount(express);
    for (const item of cases) {
      const served = await directCount(direct);
      const linesBefore = { direct: logs.direct.lines.length, express: logs.express.lines.length };
      const [mine, theirs] = [await send(direct.url, item), await send(express.url, item)];
      expect(comparable(mine), item.name).toEqual(comparable(theirs));
      const lineOf = (log: { lines: Record<string, unknown>[] }, from: number) =>
        log.lines
          .slice(from)
          .filter(
            (line) =>
              (line.msg === 'request completed' || line.msg === 'request errored') &&
              (line.req as { url?: string }).url !== '/metrics',
          );
      await expect
        .poll(() => lineOf(logs.express, linesBefore.express).length, { timeout: 2000 })
        .toBe(1);
      await expect
        .poll(() => lineOf(logs.direct, linesBefore.direct).length, { timeout: 2000 })
        .toBe(1);
      expect(logged(lineOf(logs.direct, linesBefore.direct)[0]!), item.name).toEqual(
        logged(lineOf(logs.express, linesBefore.express)[0]!),
      );
      expect(await directCount(direct), `${item.name}: served directly`).toBe(
        served + (item.direct ? 1 : 0),
      );
    }
    // The metrics scrapes go through Express on both servers: they add no direct requests.
    expect(await directCount(express)).toBe(before);
    expect(await requestCounts(direct)).toEqual(await requestCounts(express));
  });

  it('counts the rate limit the same way (429 with Retry-After on the fourth request)', async () => {
    const item: Case = {
      name: 'check',
      method: 'GET',
      path: check('sku=A&quantity=1'),
      direct: true,
    };
    for (let index = 1; index <= 5; index += 1) {
      const [mine, theirs] = [
        await send(limitedDirect.url, item),
        await send(limitedExpress.url, item),
      ];
      expect(comparable(mine), `request ${index}`).toEqual(comparable(theirs));
      expect(mine.status).toBe(index <= 3 ? 200 : 429);
    }
    expect(await requestCounts(limitedDirect)).toEqual(await requestCounts(limitedExpress));
  });
});
