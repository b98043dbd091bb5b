import { afterAll, beforeAll, describe, expect } from 'vitest';
import { forgedCursorTests } from './suites/forged-cursors.js';
import {
  DATABASE_URL,
  dropSchema,
  postgresSkipReason,
  startTestServer,
  type TestServer,
  uniqueSchema,
} from './support.js';

const skip = await postgresSkipReason();
const schema = uniqueSchema('hard');

/** The hardening findings that showed on PostgreSQL only. */
describe.skipIf(skip)('hardening (PostgreSQL)', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ kind: 'postgres', url: DATABASE_URL, schema });
    const answer = await server.call('POST', '/api/v1/warehouses', {
      body: { id: 'paris', name: 'Paris' },
    });
    expect(answer.status, answer.text).toBe(201);
  });
  afterAll(async () => {
    await server?.close();
    await dropSchema(schema);
  });

  describe('3. forged page cursors', () => {
    forgedCursorTests(() => server);
  });
});
