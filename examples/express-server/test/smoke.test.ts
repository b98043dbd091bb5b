import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

it('smoke', async () => {
  expect((await server.call('GET', '/healthz')).body).toEqual({ status: 'ok' });
  const created = await server.call('POST', '/api/v1/warehouses', { body: { id: 'paris', name: 'Paris', latitude: 48.85, longitude: 2.35 } });
  console.log(created.status, created.body);
  const adj = await server.call('POST', '/api/v1/inventory/adjust', { body: { sku: 'A', warehouseId: 'paris', type: 'RESTOCK', quantity: 5 } });
  console.log(adj.status, JSON.stringify(adj.body));
  const res = await server.call('POST', '/api/v1/reservations', { body: { items: [{ sku: 'A', quantity: 2 }] }, idempotencyKey: 'k1', as: 'storefront' });
  console.log(res.status, JSON.stringify(res.body));
  const again = await server.call('POST', '/api/v1/reservations', { body: { items: [{ sku: 'A', quantity: 2 }] }, idempotencyKey: 'k1', as: 'storefront' });
  console.log(again.status, again.headers.get('idempotent-replayed'), JSON.stringify(again.body) === JSON.stringify(res.body));
  const bad = await server.call('POST', '/api/v1/reservations', { body: { items: [{ sku: 'A', quantity: 2.5 }], foo: 1 } });
  console.log(bad.status, bad.headers.get('content-type'), JSON.stringify(bad.body));
  const check = await server.call('GET', '/api/v1/inventory/check?sku=A&quantity=2&latitude=48&longitude=2', { as: 'readonly' });
  console.log(check.status, JSON.stringify(check.body));
  console.log((await server.call('GET', '/readyz')).body);
  const m = await server.call('GET', '/metrics');
  console.log(m.text.split('\n').filter((l) => l.startsWith('stockroom_')).join('\n'));
});
