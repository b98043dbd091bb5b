import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROBLEM_TYPES } from '../src/problem-details.js';
import { type Backend, KEYS, startTestServer, type TestServer } from './support.js';

/** Requests per store; each carries at least one malformation. */
export const GENERATED_REQUESTS = Number(process.env.BAD_REQUESTS ?? 5000);

interface Operation {
  readonly method: string;
  /** OpenAPI path, `{param}` style. */
  readonly path: string;
  readonly pathParams: readonly string[];
  readonly queryParams: readonly string[];
  readonly bodyFields: readonly string[] | undefined;
}

/** One generated request. */
interface BadRequest {
  readonly operation: Operation;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: string | undefined;
  readonly as: 'admin' | 'readonly' | 'none';
  readonly malformation: string;
}

// biome-ignore lint/suspicious/noExplicitAny: a parsed OpenAPI document
type Json = any;

function operationsOf(document: Json): Operation[] {
  const operations: Operation[] = [];
  for (const [path, methods] of Object.entries<Json>(document.paths)) {
    for (const [method, operation] of Object.entries<Json>(methods)) {
      const parameters: Json[] = operation.parameters ?? [];
      const ref: string | undefined =
        operation.requestBody?.content?.['application/json']?.schema?.$ref;
      const schema = ref ? document.components.schemas[ref.split('/').pop()!] : undefined;
      const fields = schema
        ? Object.keys(schema.properties ?? {}).concat(
            ...(schema.oneOf ?? schema.anyOf ?? []).map((variant: Json) =>
              Object.keys(
                (variant.$ref
                  ? document.components.schemas[variant.$ref.split('/').pop()]
                  : variant
                ).properties ?? {},
              ),
            ),
          )
        : undefined;
      operations.push({
        method: method.toUpperCase(),
        path,
        pathParams: parameters.filter((p) => p.in === 'path').map((p) => p.name),
        queryParams: parameters.filter((p) => p.in === 'query').map((p) => p.name),
        bodyFields: method === 'get' ? undefined : (fields ?? []),
      });
    }
  }
  return operations;
}

/** Path segments no id may be: bad percent-encoding, controls, lone surrogates, too long… */
const badSegment = fc.oneof(
  fc.constantFrom(
    '%ff',
    '%E0%A4%A',
    '%ED%A0%80',
    '%00',
    '%01abc',
    '%7F',
    '%C2%85',
    '%20lead',
    'trail%20',
    '%',
    '%%',
    '%zz',
    'x'.repeat(129),
    '%F0%9F%98',
  ),
  fc
    .tuple(fc.string({ maxLength: 10 }), fc.integer({ min: 0, max: 31 }))
    .map(([text, control]) => encodeURIComponent(`${text}${String.fromCharCode(control)}`)),
  fc.string({ minLength: 129, maxLength: 300 }).map((text) => encodeURIComponent(text)),
);

/** Query values no parameter accepts. */
const badQueryValue = fc.constantFrom(
  '',
  '%ff',
  '%00',
  '%20lead',
  'x'.repeat(2000),
  'abc%01',
  '%ED%A0%80',
);

/** Cursors a client may forge (a time PostgreSQL cannot store, a number JSON cannot hold…). */
const forgedCursor = fc.oneof(
  fc.constantFrom(
    Buffer.from(JSON.stringify(['-271821-04-20T00:00:00.000Z', 'x'])).toString('base64url'),
    Buffer.from('[1e400,"a"]').toString('base64url'),
    Buffer.from(JSON.stringify(['a\u0000b'])).toString('base64url'),
    'not-a-cursor',
  ),
  fc
    .jsonValue({ maxDepth: 2 })
    .map((value) => Buffer.from(JSON.stringify(value)).toString('base64url')),
);

const unknownName = fc.constantFrom('zz', 'unknown', '__proto__', 'constructor', 'api_key', 'a[b]');

/** Idempotency-Key values that are malformed. */
const badKey = fc.constantFrom('', ' ', 'has space', 'x'.repeat(256), 'caf\u00e9', 'tab\there');

/** Bodies that are not JSON, or not the JSON the route takes. */
function badBody(fields: readonly string[]) {
  const known = fields.length > 0 ? fc.constantFrom(...fields) : fc.constant('zz');
  return fc.oneof(
    fc.constantFrom(
      '{',
      '[',
      '{"items":[{"sku":"A"',
      'nul',
      '"text"',
      '42',
      'true',
      '{"a":1}}',
      '\u0000',
      '{"quantity":1e400}',
      '{"__proto__":{"admin":true}}',
      `${'['.repeat(2000)}${']'.repeat(2000)}`,
    ),
    // Random JSON plus one field no schema has (every body schema is strict).
    fc
      .tuple(
        fc.dictionary(fc.oneof(known, fc.string({ maxLength: 8 })), fc.jsonValue({ maxDepth: 3 }), {
          maxKeys: 5,
        }),
        fc.jsonValue({ maxDepth: 2 }),
      )
      .map(([object, extra]) => JSON.stringify({ ...object, zz_unknown_field: extra })),
    fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }).map((array) => JSON.stringify(array)),
  );
}

const goodSegment = fc.stringMatching(/^[A-Za-z0-9-]{1,12}$/);

function requestFor(operation: Operation): fc.Arbitrary<BadRequest> {
  const isApi = operation.path.startsWith('/api/');
  const kinds = isApi
    ? [
        'path',
        'query',
        'idempotency-key',
        ...(operation.bodyFields ? ['body', 'content-type', 'content-encoding'] : []),
      ]
    : ['path'];
  return fc
    .record({
      kind: fc.constantFrom(...kinds),
      segments: fc.array(goodSegment, { minLength: 4, maxLength: 4 }),
      badSegment,
      badAt: fc.nat(),
      queryName:
        operation.queryParams.length > 0
          ? fc.oneof(fc.constantFrom(...operation.queryParams), unknownName)
          : unknownName,
      queryValue: badQueryValue,
      cursor: forgedCursor,
      duplicate: fc.boolean(),
      key: badKey,
      body: badBody(operation.bodyFields ?? []),
      contentType: fc.constantFrom(
        'text/plain',
        'application/x-www-form-urlencoded',
        'application/json; charset=latin1',
        'application/json; charset=utf-16',
        'multipart/form-data; boundary=x',
      ),
      contentEncoding: fc.constantFrom('gzip', 'deflate', 'br', 'x-bogus', 'gzip, gzip'),
      requestId: fc.oneof(fc.constant(undefined), fc.string({ maxLength: 200 })),
      as: fc.constantFrom('admin', 'admin', 'admin', 'admin', 'readonly', 'none') as fc.Arbitrary<
        'admin' | 'readonly' | 'none'
      >,
    })
    .map((draw) => {
      let path = operation.path;
      operation.pathParams.forEach((name, index) => {
        path = path.replace(`{${name}}`, draw.segments[index] ?? 'x');
      });
      if (draw.kind === 'path') {
        if (operation.pathParams.length > 0) {
          const target = operation.pathParams[draw.badAt % operation.pathParams.length]!;
          path = operation.path.replace(`{${target}}`, draw.badSegment);
          operation.pathParams.forEach((name, index) => {
            path = path.replace(`{${name}}`, draw.segments[index] ?? 'x');
          });
        } else {
          path = `${path}/${draw.badSegment}`;
        }
      }
      const query: string[] = [];
      if (draw.kind === 'query') {
        const value = draw.queryName === 'cursor' && draw.duplicate ? draw.cursor : draw.queryValue;
        query.push(`${encodeURIComponent(draw.queryName)}=${value}`);
        if (draw.duplicate && draw.queryName !== 'cursor') {
          query.push(`${encodeURIComponent(draw.queryName)}=1`);
        }
      }
      const headers: Record<string, string> = {};
      if (draw.as !== 'none') headers.authorization = `Bearer ${KEYS[draw.as]}`;
      if (draw.requestId !== undefined) {
        headers['x-request-id'] = draw.requestId.replace(/[^\x20-\x7e]/g, '?');
      }
      if (draw.kind === 'idempotency-key') headers['idempotency-key'] = draw.key;
      let body: string | undefined;
      if (operation.bodyFields) {
        body = draw.kind === 'body' ? draw.body : '{"zz_unknown_field":1}';
        headers['content-type'] =
          draw.kind === 'content-type' ? draw.contentType : 'application/json';
        if (draw.kind === 'content-encoding') headers['content-encoding'] = draw.contentEncoding;
      }
      return {
        operation,
        url: `${path}${query.length > 0 ? `?${query.join('&')}` : ''}`,
        headers,
        body,
        as: draw.as,
        malformation: draw.kind,
      };
    });
}

/** What a store holds, read past the API: a rejected request must leave it unchanged. */
async function snapshot(server: TestServer): Promise<string> {
  const reads = server.service.stockroom.store.reads;
  const [warehouses, movements, stock, transfers, alerts] = await Promise.all([
    reads.warehouses({ limit: 1000 }),
    reads.movements({}, { limit: 1000 }),
    reads.stockBySku('GEN-1'),
    reads.transfers({}, { limit: 1000 }),
    reads.alerts({}, { limit: 1000 }),
  ]);
  return JSON.stringify({ warehouses, movements, stock, transfers, alerts });
}

/**
 * For every route of the OpenAPI document: generated malformed paths, query strings, headers
 * and bodies (fast-check) must answer a 4xx problem+json whose status matches its code, and
 * change nothing — no 5xx at all.
 */
export function defineGeneratedBadRequestTests(
  label: string,
  backend: () => Promise<Backend>,
  options: { readonly skip?: string | false; readonly cleanup?: () => Promise<void> } = {},
): void {
  describe.skipIf(options.skip)(`generated bad requests on ${label}`, () => {
    let server: TestServer;
    let operations: Operation[];

    beforeAll(async () => {
      server = await startTestServer(await backend(), { STOCKROOM_RATE_LIMIT_PER_MINUTE: '0' });
      await server.call('POST', '/api/v1/warehouses', { body: { id: 'paris', name: 'Paris' } });
      await server.call('POST', '/api/v1/inventory/adjust', {
        body: { sku: 'GEN-1', warehouseId: 'paris', type: 'RESTOCK', quantity: 7 },
      });
      const document = (await server.call('GET', '/openapi.json', { as: 'none' })).body;
      operations = operationsOf(document);
    });
    afterAll(async () => {
      await server?.close();
      await options.cleanup?.();
    });

    it(`answers ${GENERATED_REQUESTS} malformed requests over every route with a 4xx problem and changes nothing`, async () => {
      expect(operations.length).toBeGreaterThanOrEqual(30);
      const before = await snapshot(server);
      const statuses = new Map<number, number>();
      const routesHit = new Set<string>();
      let sent = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...operations).chain((operation) => requestFor(operation)),
          async (request) => {
            const response = await fetch(`${server.url}${request.url}`, {
              method: request.operation.method,
              headers: request.headers,
              ...(request.body === undefined ? {} : { body: request.body }),
            });
            // An answer that streams (server-sent events) would never end: fail on it, not hang.
            if (response.headers.get('content-type')?.startsWith('text/event-stream')) {
              await response.body?.cancel();
              expect.fail(
                `${request.operation.method} ${request.url} [${request.malformation}] started a stream`,
              );
            }
            const text = await response.text();
            sent += 1;
            statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
            routesHit.add(`${request.operation.method} ${request.operation.path}`);
            const context = `${request.operation.method} ${request.url} [${request.malformation}] ${JSON.stringify(request.headers)} ${request.body?.slice(0, 200)} → ${response.status} ${text.slice(0, 300)}`;
            expect(response.status, context).toBeGreaterThanOrEqual(400);
            expect(response.status, context).toBeLessThan(500);
            expect(response.headers.get('content-type'), context).toMatch(
              /^application\/problem\+json/,
            );
            const problem = JSON.parse(text);
            expect(problem.status, context).toBe(response.status);
            expect(PROBLEM_TYPES[problem.code as keyof typeof PROBLEM_TYPES]?.status, context).toBe(
              response.status,
            );
            expect(text, context).not.toMatch(/\n\s+at |node_modules|Error:/);
          },
        ),
        { numRuns: GENERATED_REQUESTS, endOnFailure: true },
      );
      expect(sent).toBeGreaterThanOrEqual(GENERATED_REQUESTS);
      expect([...statuses.keys()].filter((status) => status >= 500)).toEqual([]);
      expect(routesHit.size).toBe(operations.length);
      expect(await snapshot(server)).toBe(before);
      // The server still serves.
      expect((await server.call('GET', '/api/v1/inventory/GEN-1', { as: 'readonly' })).status).toBe(
        200,
      );
    }, 180_000);
  });
}
