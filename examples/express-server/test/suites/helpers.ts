import { expect } from 'vitest';
import type { Answer, CallOptions, TestServer } from '../support.js';

/** Asserts a problem+json answer with this status and code. */
export function expectProblem(answer: Answer, status: number, code: string): void {
  expect({ status: answer.status, code: answer.body?.code }, answer.text).toEqual({ status, code });
  expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(answer.body).toMatchObject({
    type: expect.stringMatching(/^\/docs#problem-/),
    title: expect.any(String),
    status,
    detail: expect.any(String),
    code,
  });
}

/** Restocks a row through the API. */
export async function restock(
  server: TestServer,
  sku: string,
  warehouseId: string,
  quantity: number,
): Promise<void> {
  const answer = await server.call('POST', '/api/v1/inventory/adjust', {
    body: { sku, warehouseId, type: 'RESTOCK', quantity },
  });
  expect(answer.status, answer.text).toBe(200);
}

/** A SKU's totals and rows, or null when it has none. */
export async function stockOf(server: TestServer, sku: string) {
  const answer = await server.call('GET', `/api/v1/inventory/${encodeURIComponent(sku)}`, {
    as: 'readonly',
  });
  if (answer.status === 404) return null;
  expect(answer.status, answer.text).toBe(200);
  return answer.body;
}

/** One row of a SKU, by warehouse. */
export async function rowOf(server: TestServer, sku: string, warehouseId: string) {
  const stock = await stockOf(server, sku);
  return (
    stock?.warehouses.find((row: { warehouseId: string }) => row.warehouseId === warehouseId) ??
    null
  );
}

/** Reserves through the API as the storefront. */
export async function reserve(server: TestServer, body: unknown, options: CallOptions = {}) {
  return server.call('POST', '/api/v1/reservations', { as: 'storefront', body, ...options });
}

/** Runs a job through the API. */
export async function runJob(server: TestServer, name: string): Promise<number> {
  const answer = await server.call('POST', `/api/v1/admin/jobs/${name}/run`);
  expect(answer.status, answer.text).toBe(200);
  expect(answer.body.job).toBe(name);
  return answer.body.processed as number;
}

/** A metric's value from /metrics (0 when absent). */
export async function metric(server: TestServer, name: string, labels = ''): Promise<number> {
  const text = (await server.call('GET', '/metrics', { as: 'none' })).text;
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name}${labels} `));
  return line ? Number(line.split(' ').pop()) : 0;
}
