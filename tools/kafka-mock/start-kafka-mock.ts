// The test-side handle on kafka-mock.mjs: starts it as a child process and stops it.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const script = join(dirname(fileURLToPath(import.meta.url)), 'kafka-mock.mjs');

/** A running test cluster (mock + front, or a front before a real cluster). */
export interface KafkaTestCluster {
  /** Bootstrap brokers for clients (the front's address). */
  readonly brokers: string[];
  /** `c` (mock-cluster.c), `kcat` (kcat's mock), or `upstream` (a front before `upstream`). */
  readonly engine: 'c' | 'kcat' | 'upstream';
  /** Stops the front and the mock: to clients, the cluster is gone. Idempotent. */
  stop(): Promise<void>;
}

/** Options of {@link startKafkaMock}. */
export interface StartKafkaMockOptions {
  /** Mock brokers. @default 3 */
  readonly brokers?: number;
  /** Fixed ports: bootstrap on basePort, broker n on basePort + n. @default free ports */
  readonly basePort?: number;
  /** Put the front before this cluster instead of starting a mock. */
  readonly upstream?: readonly string[];
  /** @default 'auto' (mock-cluster.c when a C compiler and librdkafka-dev are there, else kcat) */
  readonly engine?: 'auto' | 'c' | 'kcat';
}

/** True when `command` runs (`command --help`-style probe with the given arguments). */
function runs(command: string, args: readonly string[]): boolean {
  const result = spawnSync(command, args, { stdio: 'ignore' });
  return result.error === undefined;
}

/** Whether kcat is installed (needed by the kcat-engine mock and by the kcat reader test). */
export function hasKcat(): boolean {
  return runs('kcat', ['-V']);
}

/**
 * Why the mock cannot start here, or null when it can: it needs librdkafka's mock, through a C
 * compiler and librdkafka-dev (`rdkafka_mock.h`), or through kcat.
 */
export function mockUnavailableReason(): string | null {
  const compiler = runs('cc', ['--version']);
  if (compiler && existsSync('/usr/include/librdkafka/rdkafka_mock.h')) return null;
  if (hasKcat()) return null;
  return 'neither kcat nor librdkafka-dev with a C compiler is installed';
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve();
      return;
    }
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/**
 * Starts `kafka-mock.mjs` and resolves when it accepts clients. The child exits when this
 * process ends (its standard input closes), so a crashed test run leaves no cluster behind.
 */
export async function startKafkaMock(
  options: StartKafkaMockOptions = {},
): Promise<KafkaTestCluster> {
  const args = [script, '--brokers', String(options.brokers ?? 3)];
  if (options.basePort) args.push('--base-port', String(options.basePort));
  if (options.upstream) args.push('--upstream', options.upstream.join(','));
  if (options.engine) args.push('--engine', options.engine);
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const lines = createInterface({ input: child.stdout! });
  const ready = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`kafka-mock not ready: ${stderr}`)), 30_000);
    lines.on('line', (line) => {
      if (!line.startsWith('READY ')) return;
      clearTimeout(timer);
      resolve(line);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`kafka-mock exited (${code}): ${stderr}`));
    });
  });
  const [, bootstrap, engine] = ready.split(' ');
  let stopped: Promise<void> | undefined;
  return {
    brokers: [bootstrap!],
    engine: engine as KafkaTestCluster['engine'],
    stop() {
      stopped ??= stopChild(child);
      return stopped;
    },
  };
}
