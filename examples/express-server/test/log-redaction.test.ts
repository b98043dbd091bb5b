import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, startTestServer, type TestServer } from './support.js';

/** Finding 7: no API key, sent any wrong way, appears in any log line. */
describe('API keys never reach the log', () => {
  const lines: string[] = [];
  let server: TestServer;

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    server = await startTestServer(
      { kind: 'memory' },
      {},
      { logger: pino({ level: 'trace' }, sink) },
    );
  });
  afterAll(async () => {
    await server?.close();
  });

  it('scrubs keys from URLs, query strings, headers and paths, right or wrong', async () => {
    const secrets = [KEYS.admin, KEYS.storefront, KEYS.readonly];
    const unknownSecret = `sk_live_${'z'.repeat(24)}`;
    const requests: [string, Record<string, string>][] = [];
    for (const key of [...secrets, unknownSecret]) {
      const basic = Buffer.from(`user:${key}`).toString('base64');
      requests.push(
        [`/api/v1/warehouses?api_key=${key}`, {}],
        [`/api/v1/warehouses?apikey=${encodeURIComponent(key)}&limit=5`, {}],
        [`/api/v1/warehouses?access_token=${key}`, {}],
        [`/api/v1/warehouses?password=${key}`, {}],
        [`/api/v1/warehouses`, { 'x-api-key': key }],
        [`/api/v1/warehouses`, { 'api-key': key }],
        [`/api/v1/warehouses`, { authorization: key }],
        [`/api/v1/warehouses`, { authorization: `Token ${key}` }],
        [`/api/v1/warehouses`, { authorization: `Basic ${basic}` }],
        [`/api/v1/warehouses`, { authorization: `Bearer ${key}` }],
        [`/api/v1/warehouses`, { 'proxy-authorization': `Bearer ${key}` }],
        [`/api/v1/warehouses`, { cookie: `session=${key}` }],
        [`/api/v1/warehouses`, { 'x-auth-token': key }],
        [`/docs`, { authorization: `Bearer ${key}` }],
      );
    }
    for (const key of secrets) {
      requests.push(
        [`/api/v1/warehouses?q=${key}`, {}],
        [`/api/v1/inventory/${key}`, {}],
        [`/api/v1/warehouses?${key}`, {}],
        [`/api/v1/warehouses`, { 'x-custom': key }],
        [`/nowhere/${key}`, {}],
      );
    }
    for (const [path, headers] of requests) {
      const response = await fetch(`${server.url}${path}`, { headers });
      await response.arrayBuffer();
    }
    expect(lines.length).toBeGreaterThanOrEqual(requests.length);
    const leaks: string[] = [];
    for (const line of lines) {
      for (const key of [...secrets, unknownSecret]) {
        const forms = [key, encodeURIComponent(key), Buffer.from(`user:${key}`).toString('base64')];
        if (forms.some((form) => line.includes(form))) leaks.push(line);
      }
    }
    expect(leaks.map((line) => line.slice(0, 400))).toEqual([]);
    // The lines still say what was asked.
    expect(
      lines.some((line) => line.includes('"url":"/api/v1/warehouses?apikey=[redacted]&limit=5"')),
    ).toBe(true);
  });
});
