// Starts a throwaway PostgreSQL primary (initdb, in a temporary directory) and a real streaming
// standby of it (pg_basebackup -R), each on a free port, for the replica-freshness test. The
// shared server of the test setup is not used: it may not accept replication connections.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { appendFile, chown, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/** A running primary + standby pair. */
export interface StandbyPair {
  readonly primaryUrl: string;
  readonly standbyUrl: string;
  stop(): Promise<void>;
}

/** The directory holding initdb, postgres and pg_basebackup, or undefined. */
function binaries(): string | undefined {
  const wanted = ['initdb', 'postgres', 'pg_basebackup'];
  const candidates = process.env.PG_BIN ? [process.env.PG_BIN] : [];
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    for (const version of readdirSync(root).sort().reverse())
      candidates.push(join(root, version, 'bin'));
  }
  return candidates.find((dir) => wanted.every((name) => existsSync(join(dir, name))));
}

/** The account to run the servers as: the current one, or `postgres` when running as root. */
function account(): { uid: number; gid: number } | undefined | 'missing' {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    return { uid, gid };
  } catch {
    return 'missing';
  }
}

/** Why the pair cannot start here, or false. */
export function standbySkipReason(): string | false {
  let reason: string | false = false;
  if (!binaries()) {
    reason =
      'the PostgreSQL server binaries (initdb, postgres, pg_basebackup) are not installed; set PG_BIN';
  } else if (account() === 'missing') {
    reason = 'running as root and there is no `postgres` account to run a throwaway server as';
  }
  if (!reason) return false;
  if (process.env.CI === 'true' || process.env.CI === '1') {
    throw new Error(`${reason}; under CI=true integration tests must not skip`);
  }
  process.stdout.write(`[stockroom] skipping the real-standby test: ${reason}\n`);
  return reason;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

function run(
  file: string,
  args: string[],
  as: { uid: number; gid: number } | undefined,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { ...(as ?? {}), stdio: ['ignore', 'ignore', 'pipe'] });
    let errors = '';
    child.stderr?.on('data', (chunk) => {
      errors += String(chunk);
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${file} exited with ${code}: ${errors}`)),
    );
  });
}

async function waitUntilAccepting(url: string, server: ChildProcess, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`postgres exited with ${server.exitCode}`);
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      await client.end().catch(() => {});
    }
  }
}

function stopServer(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    server.once('exit', () => resolve());
    server.kill('SIGINT'); // fast shutdown
  });
}

/** Starts the pair; `stop()` ends both servers and removes their directory. */
export async function startStandbyPair(): Promise<StandbyPair> {
  const bin = binaries();
  const as = account();
  if (!bin || as === 'missing') throw new Error('standbySkipReason() first');
  const dir = await mkdtemp(join(tmpdir(), 'stockroom-standby-'));
  if (as) await chown(dir, as.uid, as.gid);
  const servers: ChildProcess[] = [];
  const stop = async () => {
    for (const server of servers.reverse()) await stopServer(server);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const primaryDir = join(dir, 'primary');
    const standbyDir = join(dir, 'standby');
    const [primaryPort, standbyPort] = [await freePort(), await freePort()];
    await run(
      join(bin, 'initdb'),
      ['-D', primaryDir, '-U', 'postgres', '-A', 'trust', '--no-sync'],
      as,
    );
    const common = [
      "listen_addresses = '127.0.0.1'",
      `unix_socket_directories = '${dir}'`,
      'wal_level = replica',
      'max_wal_senders = 4',
      'fsync = off',
      'shared_buffers = 32MB',
      'max_connections = 60',
    ];
    await appendFile(
      join(primaryDir, 'postgresql.conf'),
      `\n${[...common, `port = ${primaryPort}`].join('\n')}\n`,
    );
    const primary = spawn(join(bin, 'postgres'), ['-D', primaryDir], {
      ...(as ?? {}),
      stdio: 'ignore',
    });
    servers.push(primary);
    const primaryUrl = `postgres://postgres@127.0.0.1:${primaryPort}/postgres`;
    await waitUntilAccepting(primaryUrl, primary);
    await run(
      join(bin, 'pg_basebackup'),
      [
        '-h',
        '127.0.0.1',
        '-p',
        String(primaryPort),
        '-U',
        'postgres',
        '-D',
        standbyDir,
        '-R',
        '-X',
        'stream',
        '-c',
        'fast',
        '--no-sync',
      ],
      as,
    );
    await appendFile(join(standbyDir, 'postgresql.conf'), `\nport = ${standbyPort}\n`);
    const standby = spawn(join(bin, 'postgres'), ['-D', standbyDir], {
      ...(as ?? {}),
      stdio: 'ignore',
    });
    servers.push(standby);
    const standbyUrl = `postgres://postgres@127.0.0.1:${standbyPort}/postgres`;
    await waitUntilAccepting(standbyUrl, standby);
    return { primaryUrl, standbyUrl, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
