import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

const issuesOf = (env: Record<string, string>): readonly string[] => {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  return [];
};

describe('configuration from the environment', () => {
  it('has the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      host: undefined,
      dataDir: resolve('./data'),
      database: { kind: 'sqlite', filename: resolve('./data/stockroom.db') },
      redis: undefined,
      kafka: undefined,
      apiKeys: [],
      reservations: { defaultTtlSeconds: 600, maxLifetimeSeconds: 3600 },
      rateLimitPerMinute: 6000,
      demo: false,
      jobs: true,
      reconcileRepair: false,
      logLevel: 'info',
    });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '8080',
      STOCKROOM_DATA_DIR: '/tmp/stock',
      DATABASE_URL: 'postgres://app:secret@db:5432/shop',
      DATABASE_READ_URL: 'postgres://app:secret@replica:5432/shop',
      DATABASE_SCHEMA: 'inventory',
      REDIS_CLUSTER_NODES: 'r1:7000, r2:7001',
      KAFKA_BROKERS: 'k1:9092,k2:9092',
      STOCKROOM_API_KEYS: 'a-very-long-admin-key:admin, a-storefront-key-0001:storefront',
      STOCKROOM_RESERVATION_TTL_SECONDS: '300',
      STOCKROOM_MAX_RESERVATION_SECONDS: '900',
      STOCKROOM_RATE_LIMIT_PER_MINUTE: '0',
      STOCKROOM_DEMO: 'yes',
      STOCKROOM_JOBS: 'off',
      LOG_LEVEL: 'debug',
    });
    expect(config).toMatchObject({
      port: 8080,
      dataDir: '/tmp/stock',
      database: {
        kind: 'postgres',
        url: 'postgres://app:secret@db:5432/shop',
        readUrl: 'postgres://app:secret@replica:5432/shop',
        schema: 'inventory',
      },
      redis: {
        kind: 'cluster',
        nodes: [
          { host: 'r1', port: 7000 },
          { host: 'r2', port: 7001 },
        ],
      },
      kafka: { brokers: ['k1:9092', 'k2:9092'], clientId: 'stockroom' },
      apiKeys: [
        { key: 'a-very-long-admin-key', role: 'admin' },
        { key: 'a-storefront-key-0001', role: 'storefront' },
      ],
      reservations: { defaultTtlSeconds: 300, maxLifetimeSeconds: 900 },
      rateLimitPerMinute: 0,
      demo: true,
      jobs: false,
      logLevel: 'debug',
    });
    expect(loadConfig({ DATABASE_URL: 'memory:' }).database).toEqual({ kind: 'memory' });
    expect(loadConfig({ DATABASE_URL: 'sqlite:/tmp/x.db' }).database).toEqual({
      kind: 'sqlite',
      filename: '/tmp/x.db',
    });
    expect(loadConfig({ REDIS_URL: 'redis://cache:6379' }).redis).toEqual({
      kind: 'single',
      url: 'redis://cache:6379',
    });
    expect(loadConfig({ PORT: '' }).port).toBe(3000);
  });

  it('explains every problem, one line per variable, all in one round', () => {
    expect(
      issuesOf({
        PORT: 'eighty',
        DATABASE_URL: 'mysql://db',
        REDIS_URL: 'http://cache',
        STOCKROOM_API_KEYS: 'short:admin,a-long-enough-key-1:superuser',
        STOCKROOM_RATE_LIMIT_PER_MINUTE: '-1',
        STOCKROOM_DEMO: 'maybe',
        LOG_LEVEL: 'loud',
        KAFKA_BROKERS: 'k1',
      }),
    ).toEqual([
      // Every problem at once: each variable's own rule, then the checks across variables.
      'PORT must be a whole number from 0 to 65535',
      'STOCKROOM_RATE_LIMIT_PER_MINUTE must be a whole number from 0 to 10000000',
      'STOCKROOM_DEMO must be 1/0, true/false, yes/no or on/off',
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent',
      'KAFKA_BROKERS: "k1" is not host:port',
      'DATABASE_URL must be unset (SQLite in the data directory), postgres://…, sqlite:<file> or memory:',
      'REDIS_URL must be redis://… or rediss://…',
      'STOCKROOM_API_KEYS entry 1: a key is 16–256 visible ASCII characters without commas (expected key:role, e.g. "my-long-secret-key-1:admin")',
      'STOCKROOM_API_KEYS entry 2: role must be one of admin, storefront, readonly (expected key:role, e.g. "my-long-secret-key-1:admin")',
    ]);
    expect(
      issuesOf({
        DATABASE_URL: 'mysql://db',
        REDIS_URL: 'http://cache',
        STOCKROOM_API_KEYS: 'short:admin,a-long-enough-key-1:superuser',
        KAFKA_BROKERS: 'k1',
        STOCKROOM_RESERVATION_TTL_SECONDS: '7200',
      }),
    ).toEqual([
      'STOCKROOM_RESERVATION_TTL_SECONDS must not exceed STOCKROOM_MAX_RESERVATION_SECONDS',
      'KAFKA_BROKERS: "k1" is not host:port',
      'DATABASE_URL must be unset (SQLite in the data directory), postgres://…, sqlite:<file> or memory:',
      'REDIS_URL must be redis://… or rediss://…',
      'STOCKROOM_API_KEYS entry 1: a key is 16–256 visible ASCII characters without commas (expected key:role, e.g. "my-long-secret-key-1:admin")',
      'STOCKROOM_API_KEYS entry 2: role must be one of admin, storefront, readonly (expected key:role, e.g. "my-long-secret-key-1:admin")',
    ]);
    expect(issuesOf({ DATABASE_READ_URL: 'postgres://replica/db' })).toEqual([
      'DATABASE_READ_URL needs a postgres:// DATABASE_URL',
    ]);
    expect(issuesOf({ REDIS_URL: 'redis://a:1', REDIS_CLUSTER_NODES: 'b:2' })).toEqual([
      'set REDIS_URL or REDIS_CLUSTER_NODES, not both',
    ]);
  });
});
