import { beforeAll, describe, expect, it } from 'vitest';
import type { CallOptions, TestServer } from '../support.js';
import { expectProblem, restock } from './helpers.js';

interface BadCase {
  readonly name: string;
  readonly method: string;
  readonly path: string;
  readonly options?: CallOptions;
  readonly status: number;
  readonly code: string;
}

const SQL = "x' OR '1'='1'; DROP TABLE stock; --";
const json = { 'content-type': 'application/json' };

const reserveBody = (item: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  body: { items: [{ sku: 'BAD-1', quantity: 1, ...item }], ...extra },
});
const adjustBody = (fields: Record<string, unknown>) => ({
  body: { sku: 'BAD-1', warehouseId: 'paris', type: 'RESTOCK', quantity: 1, ...fields },
});

/** Every case answers a 4xx problem and changes nothing. */
const CASES: readonly BadCase[] = [
  {
    name: 'quantity as a string',
    method: 'POST',
    path: '/reservations',
    options: reserveBody({ quantity: '1' }),
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'negative quantity',
    method: 'POST',
    path: '/reservations',
    options: reserveBody({ quantity: -1 }),
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'zero quantity',
    method: 'POST',
    path: '/reservations',
    options: reserveBody({ quantity: 0 }),
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'fractional quantity',
    method: 'POST',
    path: '/reservations',
    options: reserveBody({ quantity: 1.5 }),
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'quantity over 1e9',
    method: 'POST',
    path: '/reservations',
    options: reserveBody({ quantity: 1_000_000_001 }),
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'quantity 1e400 (Infinity)',
    method: 'POST',
    path: '/reservations',
    options: { raw: '{"items":[{"sku":"BAD-1","quantity":1e400}]}', headers: json },
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'quantity beyond 2^53',
    method: 'POST',
    path: '/inventory/adjust',
    options: {
      raw: '{"sku":"BAD-1","warehouseId":"paris","type":"RESTOCK","quantity":18014398509481985}',
      headers: json,
    },
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'quantity null',
    method: 'POST',
    path: '/reservations',
    options: reserveBody({ quantity: null }),
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'unknown field',
    method: 'POST',
    path: '/reservations',
    options: reserveBody({}, { coupon: 'FREE' }),
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'unknown nested field',
    method: 'POST',
    path: '/reservations',
    options: reserveBody({ price: 3 }),
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: '__proto__ field',
    method: 'POST',
    path: '/reservations',
    options: {
      raw: '{"items":[{"sku":"BAD-1","quantity":1}],"__proto__":{"admin":true}}',
      headers: json,
    },
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'missing items',
    method: 'POST',
    path: '/reservations',
    options: { body: {} },
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'empty items',
    method: 'POST',
    path: '/reservations',
    options: { body: { items: [] } },
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'empty sku',
    method: 'POST',
    path: '/reservations',
    options: reserveBody({ sku: '' }),
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'sku of 129 characters',
    method: 'POST',
    path: '/reservations',
    options: reserveBody({ sku: 'S'.repeat(129) }),
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'sku with a control character',
    method: 'POST',
    path: '/reservations',
    options: reserveBody({ sku: 'BAD\u00001' }),
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'sku with a leading space',
    method: 'POST',
    path: '/reservations',
    options: reserveBody({ sku: ' BAD-1' }),
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'sku as a number',
    method: 'POST',
    path: '/reservations',
    options: reserveBody({ sku: 42 }),
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'ttlSeconds 0',
    method: 'POST',
    path: '/reservations',
    options: reserveBody({}, { ttlSeconds: 0 }),
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'ttlSeconds over the maximum lifetime',
    method: 'POST',
    path: '/reservations',
    options: reserveBody({}, { ttlSeconds: 3601 }),
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'unknown strategy',
    method: 'POST',
    path: '/reservations',
    options: reserveBody({}, { strategy: 'cheapest' }),
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'latitude 91',
    method: 'POST',
    path: '/reservations',
    options: reserveBody({}, { location: { latitude: 91, longitude: 0 } }),
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'SQL-looking sku (reserve)',
    method: 'POST',
    path: '/reservations',
    options: reserveBody({ sku: SQL }),
    status: 409,
    code: 'INSUFFICIENT_STOCK',
  },
  {
    name: 'SQL-looking warehouse (adjust)',
    method: 'POST',
    path: '/inventory/adjust',
    options: adjustBody({ warehouseId: SQL }),
    status: 404,
    code: 'NOT_FOUND',
  },
  {
    name: 'SQL-looking sku in a path',
    method: 'GET',
    path: `/inventory/${encodeURIComponent(SQL)}`,
    status: 404,
    code: 'NOT_FOUND',
  },
  {
    name: 'SQL-looking id in a path',
    method: 'POST',
    path: `/reservations/${encodeURIComponent(SQL)}/commit`,
    status: 404,
    code: 'NOT_FOUND',
  },
  {
    name: 'SQL-looking query',
    method: 'GET',
    path: `/inventory/check?sku=${encodeURIComponent(SQL)}&quantity=1`,
    status: 200,
    code: '',
  },
  {
    name: 'unknown adjust type',
    method: 'POST',
    path: '/inventory/adjust',
    options: adjustBody({ type: 'STEAL' }),
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'ADJUSTMENT of 0',
    method: 'POST',
    path: '/inventory/adjust',
    options: adjustBody({ type: 'ADJUSTMENT', quantity: 0 }),
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'negative RESTOCK',
    method: 'POST',
    path: '/inventory/adjust',
    options: adjustBody({ quantity: -5 }),
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'negative expectedVersion',
    method: 'POST',
    path: '/inventory/adjust',
    options: adjustBody({ expectedVersion: -1 }),
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'negative threshold',
    method: 'PUT',
    path: '/inventory/BAD-1/warehouses/paris/settings',
    options: { body: { lowStockThreshold: -1 } },
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'bulk set below 0',
    method: 'POST',
    path: '/inventory/bulk-update',
    options: {
      body: { mode: 'set', items: [{ sku: 'BAD-1', warehouseId: 'paris', quantity: -1 }] },
    },
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'bulk delta of 0',
    method: 'POST',
    path: '/inventory/bulk-update',
    options: {
      body: { mode: 'delta', items: [{ sku: 'BAD-1', warehouseId: 'paris', quantity: 0 }] },
    },
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'bulk unknown mode',
    method: 'POST',
    path: '/inventory/bulk-update',
    options: { body: { mode: 'replace', items: [] } },
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'extend by 3601 s',
    method: 'POST',
    path: '/reservations/res_x/extend',
    options: { body: { seconds: 3601 } },
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'transfer quantity 0',
    method: 'POST',
    path: '/transfers',
    options: {
      body: { sku: 'BAD-1', fromWarehouseId: 'paris', toWarehouseId: 'berlin', quantity: 0 },
    },
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'warehouse latitude out of range',
    method: 'POST',
    path: '/warehouses',
    options: { body: { id: 'bad-wh', name: 'Bad', latitude: -91 } },
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'warehouse without a name',
    method: 'POST',
    path: '/warehouses',
    options: { body: { id: 'bad-wh' } },
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'warehouse with an unknown status',
    method: 'PATCH',
    path: '/warehouses/paris',
    options: { body: { status: 'CLOSED' } },
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'malformed JSON',
    method: 'POST',
    path: '/reservations',
    options: { raw: '{"items": [', headers: json },
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'a JSON array',
    method: 'POST',
    path: '/reservations',
    options: { raw: '[{"sku":"BAD-1","quantity":1}]', headers: json },
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'a JSON string',
    method: 'POST',
    path: '/reservations',
    options: { raw: '"items"', headers: json },
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'a text/plain body',
    method: 'POST',
    path: '/reservations',
    options: { raw: 'items=1', headers: { 'content-type': 'text/plain' } },
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'a form body',
    method: 'POST',
    path: '/inventory/adjust',
    options: {
      raw: 'sku=BAD-1&quantity=1',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    },
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'a body just over 1 MiB',
    method: 'POST',
    path: '/reservations',
    options: {
      raw: JSON.stringify({ items: [{ sku: 'BAD-1', quantity: 1 }], pad: 'x'.repeat(1024 * 1024) }),
      headers: json,
    },
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
  },
  {
    name: 'a body on a route without one',
    method: 'POST',
    path: '/reservations/res_x/commit',
    options: { body: { force: true } },
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'check without quantity',
    method: 'GET',
    path: '/inventory/check?sku=BAD-1',
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'check quantity 1.5',
    method: 'GET',
    path: '/inventory/check?sku=BAD-1&quantity=1.5',
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'check quantity 1e3',
    method: 'GET',
    path: '/inventory/check?sku=BAD-1&quantity=1e3',
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'check quantity empty',
    method: 'GET',
    path: '/inventory/check?sku=BAD-1&quantity=',
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'check with a repeated sku',
    method: 'GET',
    path: '/inventory/check?sku=BAD-1&sku=BAD-2&quantity=1',
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'unknown query parameter',
    method: 'GET',
    path: '/warehouses?sort=name',
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'limit 1001',
    method: 'GET',
    path: '/warehouses?limit=1001',
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'limit abc',
    method: 'GET',
    path: '/transfers?limit=abc',
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    name: 'a forged cursor',
    method: 'GET',
    path: '/inventory/BAD-1/movements?cursor=eyJ4Ijox',
    status: 400,
    code: 'VALIDATION_FAILED',
  },
];

/** Bad input: always a 4xx problem+json (or a plain miss), never a 500, never a change. */
export function badInputTests(server: () => TestServer): void {
  describe('bad input', () => {
    // Every committed change appends to the outbox (and the relay is not scheduled in tests), so
    // an unchanged outbox plus unchanged reads of what the cases aim at means nothing changed.
    const snapshot = async () => {
      const reads = await Promise.all(
        [
          '/api/v1/inventory/BAD-1',
          '/api/v1/warehouses?limit=1000',
          '/api/v1/transfers?limit=1000',
        ].map((path) => server().call('GET', path)),
      );
      const outbox = await server().service.stockroom.store.reads.outboxLag();
      return [...reads.map((answer) => answer.body), outbox.pending];
    };

    beforeAll(async () => {
      await restock(server(), 'BAD-1', 'paris', 5);
    });

    it.each(CASES)('$name → $status $code', async (bad) => {
      const before = await snapshot();
      const answer = await server().call(bad.method, `/api/v1${bad.path}`, {
        as: 'admin',
        ...bad.options,
      });
      if (bad.status === 200) {
        expect(answer.status).toBe(200);
        expect(answer.body.isAvailable).toBe(false);
      } else {
        expectProblem(answer, bad.status, bad.code);
      }
      expect(await snapshot()).toEqual(before);
    });
  });
}
