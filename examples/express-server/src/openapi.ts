import {
  OpenAPIRegistry,
  OpenApiGeneratorV31,
  type ResponseConfig,
  type RouteConfig,
} from '@asteasolutions/zod-to-openapi';
import { PROBLEM_TYPES, type ProblemCode } from './problem-details.js';
import { ANY_ROLE, type Route } from './routes/define-route.js';
import { ProblemSchema } from './schemas/common.js';
import { EmptyBody } from './schemas/reservation.js';
import { z } from './schemas/zod.js';

/** The base path of the API. */
export const API_BASE = '/api/v1';

/** An Express path (`/warehouses/:id`) as an OpenAPI path (`/warehouses/{id}`). */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

/** The failure codes a route can answer with: its own and the ones every route shares. */
export function failuresOf(route: Route): ProblemCode[] {
  const codes = new Set<ProblemCode>(['UNAUTHORIZED']);
  if (route.roles.length < ANY_ROLE.length) codes.add('FORBIDDEN');
  if (route.params || route.query || route.body || route.method === 'post')
    codes.add('VALIDATION_FAILED');
  for (const code of route.failures) codes.add(code);
  if (route.body) codes.add('PAYLOAD_TOO_LARGE');
  if (route.method === 'post') codes.add('IDEMPOTENCY_KEY_REUSED');
  for (const code of ['RATE_LIMITED', 'INTERNAL', 'STORE_UNAVAILABLE'] as const) codes.add(code);
  return [...codes];
}

function problemResponses(route: Route): Record<string, ResponseConfig> {
  const byStatus = new Map<number, ProblemCode[]>();
  for (const code of failuresOf(route)) {
    // Every problem's status is its code's (an atomic bulk failure included).
    const status = PROBLEM_TYPES[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const responses: Record<string, ResponseConfig> = {};
  for (const [status, codes] of [...byStatus.entries()].sort(([left], [right]) => left - right)) {
    responses[String(status)] = {
      description: codes.join(', '),
      ...(status === 429
        ? {
            headers: {
              'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer' } },
            },
          }
        : {}),
      content: { 'application/problem+json': { schema: ProblemSchema } },
    };
  }
  return responses;
}

const IdempotencyHeaders = z.object({
  'Idempotency-Key': z.string().min(1).max(255).optional().openapi({
    description:
      'Makes the POST take effect at most once: a replay with the same key and body returns the first status and body with `Idempotent-Replayed: true`; the same key with another body → 422. Kept at least 24 h, scoped to the API key.',
  }),
});

function routeConfig(route: Route): RouteConfig {
  const request: NonNullable<RouteConfig['request']> = {};
  if (route.params) request.params = route.params as NonNullable<typeof request.params>;
  if (route.query) request.query = route.query as NonNullable<typeof request.query>;
  if (route.method === 'post') request.headers = IdempotencyHeaders;
  if (route.body && route.body !== EmptyBody) {
    request.body = {
      required: !route.body.safeParse(undefined).success,
      content: { 'application/json': { schema: route.body } },
    };
  }
  return {
    method: route.method,
    path: `${API_BASE}${openApiPath(route.path)}`,
    operationId: route.operationId,
    tags: [route.tag],
    summary: route.summary,
    description: [route.description, `Roles: ${route.roles.join(', ')}.`]
      .filter(Boolean)
      .join('\n\n'),
    security: [{ apiKey: [] }],
    'x-roles': [...route.roles],
    request,
    responses: {
      [String(route.success.status)]: {
        description: route.success.description,
        ...(route.method === 'post'
          ? {
              headers: {
                'Idempotent-Replayed': {
                  description:
                    '`true` when this is the stored answer to an earlier request with the same Idempotency-Key',
                  schema: { type: 'string', enum: ['true'] },
                },
              },
            }
          : {}),
        content: { 'application/json': { schema: route.success.schema } },
      },
      ...problemResponses(route),
    },
  };
}

const Readiness = z
  .strictObject({
    status: z.enum(['ready', 'not-ready']),
    components: z.record(
      z.string(),
      z.strictObject({
        status: z.enum(['up', 'down', 'disabled']),
        kind: z.string().optional(),
        detail: z.string().optional(),
      }),
    ),
  })
  .openapi('Readiness');

function registerOperations(registry: OpenAPIRegistry): void {
  const tags = ['Operations'];
  registry.registerPath({
    method: 'get',
    path: '/healthz',
    operationId: 'healthz',
    tags,
    summary: 'Liveness: the process answers',
    responses: {
      200: {
        description: 'Alive',
        content: { 'application/json': { schema: z.strictObject({ status: z.literal('ok') }) } },
      },
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/readyz',
    operationId: 'readyz',
    tags,
    summary: 'Readiness: the store, the cache and the publisher answer',
    responses: {
      200: { description: 'Ready', content: { 'application/json': { schema: Readiness } } },
      503: {
        description: 'A component is down, or the server is shutting down',
        content: { 'application/json': { schema: Readiness } },
      },
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/metrics',
    operationId: 'metrics',
    tags,
    summary: 'Prometheus metrics',
    responses: {
      200: {
        description: 'Prometheus text format',
        content: { 'text/plain': { schema: z.string() } },
      },
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/openapi.json',
    operationId: 'openapi',
    tags,
    summary: 'This document',
    responses: {
      200: {
        description: 'OpenAPI 3.1',
        content: { 'application/json': { schema: z.object({}).passthrough() } },
      },
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/docs',
    operationId: 'docs',
    tags,
    summary: 'The API reference, rendered from this document',
    responses: { 200: { description: 'HTML', content: { 'text/html': { schema: z.string() } } } },
  });
}

/** The OpenAPI 3.1 document of the API, generated from the routes' zod schemas. */
export function buildOpenApiDocument(routes: readonly Route[], version: string) {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'apiKey', {
    type: 'http',
    scheme: 'bearer',
    description:
      'An API key from STOCKROOM_API_KEYS (or the generated admin key), sent as `Authorization: Bearer <key>`. Roles: admin (everything), storefront (GETs, /reservations, /orders), readonly (GETs).',
  });
  for (const route of routes) registry.registerPath(routeConfig(route));
  registerOperations(registry);
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'stockroom inventory API',
      version,
      description:
        'Stock levels, reservations, transfers and a ledger over HTTP. Errors are RFC 9457 `application/problem+json` with a stable `code`. Lists are paged with `limit` (1–1000, default 100) and `cursor`, answering `{ items, nextCursor }`. Unknown JSON fields are rejected; bodies over 1 MiB (bulk update: 16 MiB) answer 413.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: '/' }],
    tags: [
      { name: 'Warehouses' },
      { name: 'Inventory' },
      { name: 'Reservations' },
      { name: 'Orders' },
      { name: 'Transfers' },
      { name: 'Receipts', description: 'Incoming stock and the preorders it backs' },
      { name: 'Alerts and replenishment' },
      { name: 'Admin' },
      { name: 'Operations', description: 'No API key needed' },
    ],
  });
}

/** The document's type. */
export type OpenApiDocument = ReturnType<typeof buildOpenApiDocument>;
