import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeStartupFailure } from '../src/start-service.js';
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

  describe('12. a start-up failure names its cause', () => {
    it('says which database does not exist on the readable line', async () => {
      const missing = `stockroom_missing_${process.pid}`;
      const url = DATABASE_URL.replace(/\/[^/?]*(\?|$)/, `/${missing}$1`);
      const failure = await startTestServer({ kind: 'postgres', url, schema }).then(
        (started) => started.close().then(() => new Error('it started')),
        (error: unknown) => error,
      );
      expect(describeStartupFailure(failure)).toMatch(
        new RegExp(
          `^PostgreSQL is unavailable \\(SQLSTATE 3D000\\): database "${missing}" does not exist$`,
        ),
      );
    });
  });
});
