import SwaggerParser from '@apidevtools/swagger-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support.js';

/** Every route of ../shared/HTTP-API.md, as OpenAPI paths. */
const CONTRACT = [
  'POST /api/v1/warehouses',
  'GET /api/v1/warehouses',
  'GET /api/v1/warehouses/{id}',
  'PATCH /api/v1/warehouses/{id}',
  'GET /api/v1/inventory/check',
  'GET /api/v1/inventory/{sku}',
  'POST /api/v1/inventory/adjust',
  'PUT /api/v1/inventory/{sku}/warehouses/{warehouseId}/settings',
  'GET /api/v1/inventory/warehouses/{warehouseId}/stock',
  'POST /api/v1/inventory/bulk-update',
  'GET /api/v1/inventory/low-stock',
  'GET /api/v1/inventory/{sku}/movements',
  'POST /api/v1/reservations',
  'GET /api/v1/reservations/{id}',
  'POST /api/v1/reservations/{id}/commit',
  'POST /api/v1/reservations/{id}/release',
  'POST /api/v1/reservations/{id}/extend',
  'POST /api/v1/orders/{orderId}/cancel',
  'POST /api/v1/transfers',
  'POST /api/v1/transfers/{id}/ship',
  'POST /api/v1/transfers/{id}/receive',
  'POST /api/v1/transfers/{id}/cancel',
  'GET /api/v1/transfers',
  'GET /api/v1/transfers/{id}',
  'GET /api/v1/alerts',
  'POST /api/v1/alerts/{id}/acknowledge',
  'GET /api/v1/replenishment/suggestions',
  'POST /api/v1/admin/jobs/{name}/run',
  // Beyond HTTP-API.md: the last reconciliation's report.
  'GET /api/v1/admin/reconciliation',
];
/** API routes beyond the written contract: what the dashboard reads. */
const BEYOND_CONTRACT = [
  // Reservations by SKU, warehouse, status, order and time ranges (#17), in the server README.
  'GET /api/v1/reservations',
  'GET /api/v1/movements/summary',
  // The whole-cart check (see the server README).
  'POST /api/v1/inventory/check-cart',
  // Sellability (#16): per-SKU cart limits, described in the server README.
  'GET /api/v1/inventory/{sku}/policy',
  'PUT /api/v1/inventory/{sku}/policy',
  'DELETE /api/v1/inventory/{sku}/policy',
  // Sales channels (issue 16), described in the server README.
  'POST /api/v1/channels',
  'GET /api/v1/channels',
  'GET /api/v1/channels/{id}',
  'PATCH /api/v1/channels/{id}',
  'DELETE /api/v1/channels/{id}',
  // Kits and bundles (issue 17), described in the server README.
  'PUT /api/v1/kits/{sku}',
  'GET /api/v1/kits',
  'GET /api/v1/kits/{sku}',
  'DELETE /api/v1/kits/{sku}',
  // Changing a hold (issue 17), described in the server README.
  'PUT /api/v1/reservations/{id}/lines',
  // Incoming stock and preorders (issue 16), described in the server README.
  'POST /api/v1/receipts',
  'GET /api/v1/receipts',
  'GET /api/v1/receipts/{id}',
  'POST /api/v1/receipts/{id}/receive',
  'POST /api/v1/receipts/{id}/cancel',
];
const OPERATIONS = [
  'GET /healthz',
  'GET /readyz',
  'GET /metrics',
  'GET /openapi.json',
  'GET /docs',
  'GET /',
  'GET /dashboard/',
  'GET /api/v1/events/stream',
];

describe('OpenAPI document and reference page', () => {
  let server: TestServer;
  // biome-ignore lint/suspicious/noExplicitAny: a parsed JSON document
  let document: any;
  beforeAll(async () => {
    server = await startTestServer({ kind: 'memory' });
    const answer = await server.call('GET', '/openapi.json', { as: 'none' });
    expect(answer.status).toBe(200);
    document = answer.body;
  });
  afterAll(async () => {
    await server?.close();
  });

  it('is a valid OpenAPI 3.1 document (checked by an OpenAPI validator)', async () => {
    expect(document.openapi).toBe('3.1.0');
    await expect(SwaggerParser.validate(structuredClone(document))).resolves.toBeTruthy();
    // The validator does reject a broken document (so the check above means something).
    const broken = structuredClone(document);
    broken.paths['/api/v1/reservations'].post.responses['201'].content = 'not a map';
    await expect(SwaggerParser.validate(broken)).rejects.toThrow();
  });

  it('lists exactly the routes of the contract, plus the operations routes', () => {
    const listed = Object.entries(
      document.paths as Record<string, Record<string, unknown>>,
    ).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect([...listed].sort()).toEqual([...CONTRACT, ...BEYOND_CONTRACT, ...OPERATIONS].sort());
  });

  it('documents roles, security, the idempotency header on POSTs and problem responses', () => {
    for (const entry of [...CONTRACT, ...BEYOND_CONTRACT]) {
      const [method, path] = entry.split(' ') as [string, string];
      const operation = document.paths[path][method.toLowerCase()];
      expect(operation['x-roles'].length, entry).toBeGreaterThan(0);
      expect(operation.security, entry).toEqual([{ apiKey: [] }]);
      expect(operation.responses['401'].content['application/problem+json'].schema, entry).toEqual({
        $ref: '#/components/schemas/Problem',
      });
      const success = Object.keys(operation.responses).filter((status) => status.startsWith('2'));
      expect(success, entry).toHaveLength(1);
      const headers = (operation.parameters ?? []).filter(
        (parameter: { in: string }) => parameter.in === 'header',
      );
      expect(
        headers.map((parameter: { name: string }) => parameter.name),
        entry,
      ).toEqual(method === 'POST' ? ['Idempotency-Key'] : []);
      if (method === 'POST') expect(operation.responses['422'], entry).toBeDefined();
    }
    expect(
      document.paths['/api/v1/reservations'].post.responses['201'].content['application/json']
        .schema,
    ).toEqual({
      $ref: '#/components/schemas/Reservation',
    });
    expect(document.paths['/api/v1/reservations'].post['x-roles']).toEqual(['admin', 'storefront']);
    expect(document.components.schemas.Reserve.additionalProperties).toBe(false);
    expect(document.components.schemas.Stock.required).toEqual(
      expect.arrayContaining([
        'sku',
        'warehouseId',
        'available',
        'reserved',
        'damaged',
        'inTransit',
        'total',
        'version',
      ]),
    );
  });

  it('documents the status an atomic bulk failure really answers (its code’s status)', async () => {
    const answer = await server.call('POST', '/api/v1/inventory/bulk-update', {
      body: {
        mode: 'delta',
        atomic: true,
        items: [{ sku: 'OPENAPI-BULK', warehouseId: 'no-such-warehouse', quantity: 1 }],
      },
    });
    expect(answer.status, answer.text).toBe(404);
    expect(answer.body.code).toBe('NOT_FOUND');
    const responses = document.paths['/api/v1/inventory/bulk-update'].post.responses;
    expect(responses['404'].description).toContain('NOT_FOUND');
    expect(responses['409'].description).not.toContain('NOT_FOUND');
  });

  it('serves Swagger UI from its own files, over /openapi.json, with every problem code', async () => {
    const page = await server.call('GET', '/docs', { as: 'none' });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.text).toContain('<div id="swagger-ui"></div>');
    expect(page.text).toContain('<script src="/docs/assets/swagger-ui-bundle.js"></script>');
    expect(page.text).not.toMatch(/https?:\/\//);
    const init = await server.call('GET', '/docs/init.js', { as: 'none' });
    expect(init.text).toContain("url: '/openapi.json'");
    expect(init.text).toContain('persistAuthorization: true');
    for (const asset of ['swagger-ui-bundle.js', 'swagger-ui.css']) {
      const answer = await server.call('GET', `/docs/assets/${asset}`, { as: 'none' });
      expect(answer.status, asset).toBe(200);
      expect(answer.text.length, asset).toBeGreaterThan(10_000);
    }
    expect((await server.call('GET', '/docs/assets/nope.js', { as: 'none' })).status).toBe(404);
    for (const code of [
      'VALIDATION_FAILED',
      'INSUFFICIENT_STOCK',
      'IDEMPOTENCY_KEY_REUSED',
      'RATE_LIMITED',
      'STORE_UNAVAILABLE',
    ]) {
      expect(page.text).toContain(`id="problem-${code.toLowerCase().replaceAll('_', '-')}"`);
    }
  });

  it('carries the examples Swagger UI shows', () => {
    const text = JSON.stringify(document);
    expect(text.match(/"example":/g)?.length ?? 0).toBeGreaterThanOrEqual(40);
  });
});
