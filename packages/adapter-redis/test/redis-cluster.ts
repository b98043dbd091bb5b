// A real 3-node Redis Cluster, started and torn down by the tests themselves.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, type RedisServer, startRedisServer, waitFor } from './redis-services.js';

const run = promisify(execFile);

/** A running cluster: its nodes' addresses and a way to stop them all. */
export interface RedisClusterHandle {
  readonly nodes: ReadonlyArray<{ readonly host: string; readonly port: number }>;
  stop(): Promise<void>;
}

/**
 * Starts three `redis-server --cluster-enabled yes` on free ports in a temp dir, joins them with
 * `redis-cli --cluster create … --cluster-replicas 0`, and waits until every node reports
 * `cluster_state:ok`.
 */
export async function startRedisCluster(): Promise<RedisClusterHandle> {
  const directory = mkdtempSync(join(tmpdir(), 'stockroom-redis-cluster-'));
  const servers: RedisServer[] = [];
  const stop = async () => {
    await Promise.all(servers.map((server) => server.stop()));
    rmSync(directory, { recursive: true, force: true });
  };
  try {
    for (let index = 0; index < 3; index += 1) {
      const port = await freePort({ withBusPort: true });
      servers.push(
        await startRedisServer({
          port,
          directory,
          extraArguments: [
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            `nodes-${port}.conf`,
            '--cluster-node-timeout',
            '5000',
          ],
        }),
      );
    }
    const addresses = servers.map((server) => `127.0.0.1:${server.port}`);
    await run(
      'redis-cli',
      ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes'],
      { timeout: 30_000 },
    );
    for (const server of servers) {
      await waitFor(
        async () => {
          const { stdout } = await run('redis-cli', ['-p', String(server.port), 'cluster', 'info']);
          return stdout.includes('cluster_state:ok');
        },
        { timeoutMs: 20_000, intervalMs: 100, what: `cluster_state:ok on ${server.port}` },
      );
    }
    return {
      nodes: servers.map((server) => ({ host: '127.0.0.1', port: server.port })),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
