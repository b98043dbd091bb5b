import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forgedCursorTests } from './suites/forged-cursors.js';
import { expectProblem, restock, stockOf } from './suites/helpers.js';
import { startTestServer, type TestServer } from './support.js';

/**
 * The findings of the hardening review, one block per finding, on SQLite (the PostgreSQL-only
 * ones are in hardening.postgres.test.ts).
 */
describe('hardening (SQLite)', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
    const answer = await server.call('POST', '/api/v1/warehouses', {
      body: { id: 'paris', name: 'Paris', latitude: 48.8566, longitude: 2.3522 },
    });
    expect(answer.status, answer.text).toBe(201);
  });
  afterAll(async () => {
    await server?.close();
  });

  describe('1. malformed percent-encoding in a path', () => {
    it.each(['readonly', 'admin'] as const)('answers 400 problem+json (as %s)', async (as) => {
      const answer = await server.call('GET', '/api/v1/inventory/%ff', { as });
      expectProblem(answer, 400, 'VALIDATION_FAILED');
      expect(answer.body.detail).toBe('The path is not valid percent-encoded UTF-8');
    });

    it('answers 400 outside the API and without a key too', async () => {
      expectProblem(await server.call('GET', '/%ff', { as: 'none' }), 400, 'VALIDATION_FAILED');
      expectProblem(
        await server.call('GET', '/api/v1/inventory/%E0%A4%A', { as: 'none' }),
        400,
        'VALIDATION_FAILED',
      );
    });
  });

  describe('1b. malformed percent-encoding in a query string', () => {
    it.each(['%ff', '%ED%A0%80', '%E0%A4%A', '%'])('?warehouseId=%s answers 400', async (value) => {
      const answer = await server.call('GET', `/api/v1/inventory/low-stock?warehouseId=${value}`, {
        as: 'readonly',
      });
      expectProblem(answer, 400, 'VALIDATION_FAILED');
      expect(answer.body.errors).toEqual([
        { path: 'query', message: 'is not valid percent-encoded UTF-8' },
      ]);
    });
  });

  describe('2. a body whose Content-Encoding lies', () => {
    it('answers 400 problem+json for gzip that is not gzip and changes nothing', async () => {
      const answer = await server.call('POST', '/api/v1/inventory/adjust', {
        raw: '{"sku":"ENC-1","warehouseId":"paris","type":"RESTOCK","quantity":5}',
        headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      });
      expectProblem(answer, 400, 'VALIDATION_FAILED');
      expect(answer.body.detail).toBe('The body could not be read');
      expect(await stockOf(server, 'ENC-1')).toBeNull();
    });

    it('answers 400 for an unknown encoding, in our words', async () => {
      const answer = await server.call('POST', '/api/v1/inventory/adjust', {
        raw: '{}',
        headers: { 'content-type': 'application/json', 'content-encoding': 'x-nonsense' },
      });
      expectProblem(answer, 400, 'VALIDATION_FAILED');
      expect(answer.body.errors).toEqual([
        { path: 'Content-Encoding', message: 'must be identity, gzip, deflate or br' },
      ]);
    });
  });

  describe('3. forged page cursors', () => {
    forgedCursorTests(() => server);
  });

  describe('4. identifiers must be well-formed Unicode', () => {
    it('refuses a SKU with a lone surrogate instead of merging it into another row', async () => {
      await restock(server, 'X\ufffd', 'paris', 3);
      const answer = await server.call('POST', '/api/v1/inventory/adjust', {
        raw: '{"sku":"X\\ud800","warehouseId":"paris","type":"RESTOCK","quantity":5}',
        headers: { 'content-type': 'application/json' },
      });
      expectProblem(answer, 400, 'VALIDATION_FAILED');
      expect(answer.body.errors).toEqual([
        { path: 'sku', message: 'must be 1–128 printable characters of well-formed Unicode' },
      ]);
      expect((await stockOf(server, 'X\ufffd'))?.available).toBe(3);
    });

    it('refuses a lone surrogate in a path id', async () => {
      const answer = await server.call('GET', '/api/v1/warehouses/%ED%A0%80', { as: 'readonly' });
      expectProblem(answer, 400, 'VALIDATION_FAILED');
    });
  });

  describe('6. /readyz without a key', () => {
    it('answers only its status', async () => {
      const answer = await server.call('GET', '/readyz', { as: 'none' });
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ status: 'ready' });
    });

    it('shows the components to an admin key only', async () => {
      const admin = await server.call('GET', '/readyz', { as: 'admin' });
      expect(admin.body.status).toBe('ready');
      expect(admin.body.components.store).toEqual({ status: 'up', kind: 'store' });
      const readonly = await server.call('GET', '/readyz', { as: 'readonly' });
      expect(readonly.body).toEqual({ status: 'ready' });
    });
  });

  describe('8. one truth and one message format per field', () => {
    it('ttlSeconds: the OpenAPI maximum is the limit the server enforces, with one message', async () => {
      const document = (await server.call('GET', '/openapi.json', { as: 'none' })).body;
      const ttl = document.components.schemas.Reserve.properties.ttlSeconds;
      expect(ttl.maximum).toBe(3600);
      await restock(server, 'TTL-1', 'paris', 5);
      for (const ttlSeconds of [4000, 99_999, 0, 1.5, '60']) {
        const answer = await server.call('POST', '/api/v1/reservations', {
          as: 'storefront',
          body: { items: [{ sku: 'TTL-1', quantity: 1 }], ttlSeconds },
        });
        expectProblem(answer, 400, 'VALIDATION_FAILED');
        expect(answer.body.errors, String(ttlSeconds)).toEqual([
          { path: 'ttlSeconds', message: 'must be an integer from 1 to 3600' },
        ]);
      }
      expect((await stockOf(server, 'TTL-1'))?.reserved).toBe(0);
    });

    it('no validator text reaches a client', async () => {
      const cases: [string, string, unknown, { path: string; message: string }[]][] = [
        [
          'POST',
          '/api/v1/reservations',
          { items: [] },
          [{ path: 'items', message: 'must be at least 1 item' }],
        ],
        [
          'POST',
          '/api/v1/inventory/bulk-update',
          { mode: 'sideways', items: [] },
          [{ path: 'mode', message: 'must be one of "set", "delta"' }],
        ],
        [
          'POST',
          '/api/v1/reservations',
          { items: [{ sku: 'A', quantity: 1 }], strategy: 'cheapest' },
          [{ path: 'strategy', message: expect.stringMatching(/^must be one of "/) }],
        ],
        [
          'POST',
          '/api/v1/inventory/bulk-update',
          { mode: 'set', atomic: 'yes', items: [{ sku: 'A', warehouseId: 'paris', quantity: 1 }] },
          [{ path: 'atomic', message: 'must be true or false' }],
        ],
        [
          'POST',
          '/api/v1/reservations',
          { items: 'A' },
          [{ path: 'items', message: 'must be an array' }],
        ],
      ];
      for (const [method, path, body, errors] of cases) {
        const answer = await server.call(method, path, { body });
        expectProblem(answer, 400, 'VALIDATION_FAILED');
        expect(answer.body.errors, JSON.stringify(body)).toEqual(errors);
        expect(answer.text).not.toMatch(/Too small|Too big|Invalid input|Invalid option|expected /);
      }
    });
  });

  describe('9. idempotency key and atomic bulk failures', () => {
    it('refuses an empty Idempotency-Key header', async () => {
      const answer = await server.call('POST', '/api/v1/inventory/adjust', {
        body: { sku: 'IDEM-EMPTY', warehouseId: 'paris', type: 'RESTOCK', quantity: 1 },
        headers: { 'idempotency-key': '' },
      });
      expectProblem(answer, 400, 'VALIDATION_FAILED');
      expect(answer.body.errors).toEqual([
        { path: 'Idempotency-Key', message: 'must be 1–255 visible ASCII characters' },
      ]);
      expect(await stockOf(server, 'IDEM-EMPTY')).toBeNull();
    });

    it('refuses an empty or malformed Idempotency-Key on PUT and PATCH too', async () => {
      for (const key of ['', 'has space', 'x'.repeat(256)]) {
        const answer = await server.call('PATCH', '/api/v1/warehouses/paris', {
          body: { name: 'Paris Nord' },
          headers: { 'idempotency-key': key },
        });
        expectProblem(answer, 400, 'VALIDATION_FAILED');
      }
      const warehouse = await server.call('GET', '/api/v1/warehouses/paris');
      expect(warehouse.body.name).toBe('Paris');
    });

    it('answers a failed atomic bulk update with a status that matches its code', async () => {
      await restock(server, 'BULK-A', 'paris', 2);
      await restock(server, 'BULK-B', 'paris', 2);
      const answer = await server.call('POST', '/api/v1/inventory/bulk-update', {
        body: {
          mode: 'delta',
          atomic: true,
          items: [
            { sku: 'BULK-A', warehouseId: 'paris', quantity: 1 },
            { sku: 'BULK-B', warehouseId: 'paris', quantity: -50 },
          ],
        },
      });
      expect(answer.status, answer.text).toBe(answer.body.status);
      expectProblem(answer, 409, 'INSUFFICIENT_STOCK');
      expect((await stockOf(server, 'BULK-A'))?.available).toBe(2);
      expect((await stockOf(server, 'BULK-B'))?.available).toBe(2);
    });
  });
});
