import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metric, restock } from './suites/helpers.js';
import { startTestServer, type TestServer } from './support.js';

// Nothing listens on this port: the server must start and serve anyway, keeping events in the
// outbox and reporting the publisher down. (Delivery to a real Kafka is the adapter's own suite.)
describe('with KAFKA_BROKERS set but Kafka unreachable', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(
      { kind: 'memory' },
      { KAFKA_BROKERS: '127.0.0.1:1' },
      { configuredPublisher: true },
    );
  });
  afterAll(async () => {
    await server?.close();
  });

  it('starts, serves, keeps the events in the outbox and reports the publisher down', async () => {
    await server.call('POST', '/api/v1/warehouses', { body: { id: 'paris', name: 'Paris' } });
    await restock(server, 'K-1', 'paris', 3);
    const ready = await server.call('GET', '/readyz', { as: 'admin' });
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({
      status: 'not-ready',
      components: { store: { status: 'up' }, publisher: { status: 'down', kind: 'kafka' } },
    });
    expect(await metric(server, 'stockroom_outbox_pending')).toBeGreaterThan(0);
  });
});
