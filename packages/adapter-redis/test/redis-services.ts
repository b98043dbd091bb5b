// Test helpers: a dedicated redis-server on a free port, polling with a bound, key cleanup.
import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Cluster, Redis } from 'ioredis';
import { type RedisClient, redisClientOptions } from '../src/index.js';

const run = promisify(execFile);

/** The shared Redis the single-node suite runs against. */
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key prefix no other test file (or run) uses. */
export function uniquePrefix(name: string): string {
  return `test:${name}:${randomBytes(4).toString('hex')}:`;
}

/** True when `redis-server` and `redis-cli` can be started. */
export function hasRedisBinaries(): boolean {
  return ['redis-server', 'redis-cli'].every(
    (binary) => spawnSync(binary, ['--version'], { stdio: 'ignore' }).status === 0,
  );
}

/** True when a Redis answers PING at `url` within a second. */
export async function isRedisReachable(url: string): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** Polls `condition` every `intervalMs` until it holds; fails after `timeoutMs`. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  { timeoutMs = 5000, intervalMs = 20, what = 'condition' } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A free port (and, for cluster nodes, a free bus port at +10000). Picked at random in
 * 20000–29999 so the bus port stays valid; two files racing for one port is then unlikely, and
 * a server that fails to start is retried on another port.
 */
export async function freePort({ withBusPort = false } = {}): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const port = 20_000 + Math.floor(Math.random() * 10_000);
    if (!(await canListen(port))) continue;
    if (withBusPort && !(await canListen(port + 10_000))) continue;
    return port;
  }
  throw new Error('no free port found');
}

/** A redis-server process the test owns. */
export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** Kills the process (SIGKILL: a crash, not a shutdown) and waits for it to exit. */
  crash(): Promise<void>;
  /** Starts the server again on the same port (empty: nothing is persisted). */
  restart(): Promise<void>;
  /** Kills the process and removes its directory (when the server created it). */
  stop(): Promise<void>;
}

/**
 * Starts `redis-server` on a free port in a temp dir, with no persistence, and waits until it
 * answers PING. `extraArguments` go to the command line (cluster mode uses them).
 */
export async function startRedisServer(
  options: { port?: number; directory?: string; extraArguments?: string[] } = {},
): Promise<RedisServer> {
  const port = options.port ?? (await freePort());
  const directory = options.directory ?? mkdtempSync(join(tmpdir(), 'stockroom-redis-'));
  const ownsDirectory = options.directory === undefined;
  let child: ChildProcess | undefined;

  const start = async () => {
    const server = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--daemonize',
        'no',
        '--dir',
        directory,
        ...(options.extraArguments ?? []),
      ],
      { stdio: 'ignore' },
    );
    child = server;
    let exited = false;
    server.once('exit', () => {
      exited = true;
    });
    await waitFor(
      async () => {
        if (exited) throw new Error(`redis-server on port ${port} exited at start-up`);
        return ping(port);
      },
      { timeoutMs: 10_000, intervalMs: 50, what: `redis-server on port ${port}` },
    );
  };

  const kill = async () => {
    const server = child;
    child = undefined;
    if (!server || server.exitCode !== null || server.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      server.once('exit', () => resolve());
      server.kill('SIGKILL');
    });
  };

  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    crash: kill,
    stop: async () => {
      await kill();
      if (ownsDirectory) rmSync(directory, { recursive: true, force: true });
    },
    restart: async () => {
      await kill();
      await start();
    },
  };
}

/** True when the server on `port` answers PING. */
export async function ping(port: number): Promise<boolean> {
  try {
    const { stdout } = await run('redis-cli', ['-p', String(port), 'ping'], { timeout: 2000 });
    return stdout.trim() === 'PONG';
  } catch {
    return false;
  }
}

/**
 * A client with the adapter's recommended options, connected, whose connection errors (expected
 * when a test stops a server) are not printed by ioredis.
 */
export async function connectRedis(url: string, commandTimeoutMs = 2000): Promise<Redis> {
  const client = new Redis(url, redisClientOptions(commandTimeoutMs));
  client.on('error', () => {});
  await untilReady(client);
  return client;
}

/** Resolves once the client is connected (clients without an offline queue need this). */
export function untilReady(client: RedisClient, timeoutMs = 10_000): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('Redis client not ready')), timeoutMs);
    client.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Deletes every key under `prefix` (on each master of a cluster). */
export async function deleteKeys(client: RedisClient, prefix: string): Promise<void> {
  const nodes = client instanceof Cluster ? client.nodes('master') : [client];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      // One DEL per key: on a cluster, keys of different SKUs live in different slots.
      await Promise.all(keys.map((key) => client.del(key)));
    } while (cursor !== '0');
  }
}
