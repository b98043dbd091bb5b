#!/usr/bin/env node
// A Kafka for tests: librdkafka's mock cluster behind the metadata-rewriting front.
//
//   node tools/kafka-mock/kafka-mock.mjs [--brokers 3] [--base-port 39092] [--engine auto|c|kcat]
//   node tools/kafka-mock/kafka-mock.mjs --upstream host:9092[,host:9093]   (a front only)
//
// Prints "READY 127.0.0.1:PORT ENGINE" on stdout once clients can connect, then runs until
// SIGTERM, SIGINT or the end of its standard input (so it dies with the process that started
// it; pass --ignore-stdin to run it in the background of a shell), and stops the mock with it.
//
// Engines: `c` compiles mock-cluster.c against librdkafka-dev (cached under the OS temp dir) and
// supports CreateTopics through the front; `kcat` runs `kcat -X test.mock.num.brokers=N`, where
// topics only auto-create (4 partitions). `auto` prefers `c`.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startKafkaFront } from './kafka-front.mjs';

const here = dirname(fileURLToPath(import.meta.url));

/** Compiles mock-cluster.c once per source version; returns the binary's path or null. */
export function buildMockCluster() {
  const source = join(here, 'mock-cluster.c');
  const hash = createHash('sha256').update(readFileSync(source)).digest('hex').slice(0, 16);
  const directory = join(tmpdir(), 'stockroom-kafka-mock');
  const binary = join(directory, `mock-cluster-${hash}`);
  if (existsSync(binary)) return binary;
  mkdirSync(directory, { recursive: true });
  // Compile to a private name, then rename: parallel test files may build at the same time.
  const partial = `${binary}.${process.pid}`;
  const result = spawnSync('cc', ['-O2', '-o', partial, source, '-lrdkafka'], {
    encoding: 'utf8',
  });
  if (result.status !== 0) return null;
  renameSync(partial, binary);
  return binary;
}

/** Resolves with the first line of `lines` that matches `pattern`. */
function waitForLine(lines, pattern, timeoutMs, what) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      done();
      reject(new Error(`${what}: no "${pattern}" line within ${timeoutMs} ms`));
    }, timeoutMs);
    const onLine = (line) => {
      const match = pattern.exec(line);
      if (!match) return;
      done();
      resolve(match);
    };
    const onClose = () => {
      done();
      reject(new Error(`${what} ended before printing "${pattern}"`));
    };
    const done = () => {
      clearTimeout(timer);
      lines.off('line', onLine);
      lines.off('close', onClose);
    };
    lines.on('line', onLine);
    lines.on('close', onClose);
  });
}

async function startCMock(binary, brokerCount) {
  const child = spawn(binary, [String(brokerCount)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const [, bootstrap] = await waitForLine(lines, /^BOOTSTRAP (\S+)$/, 10_000, 'mock');
  const waiting = [];
  lines.on('line', (line) => {
    const match = /^created (\S+) (-?\d+)$/.exec(line);
    if (match) waiting.shift()?.(Number(match[2]));
  });
  let queue = Promise.resolve();
  return {
    bootstrap: bootstrap.split(','),
    createTopic(topic, partitions, replicationFactor) {
      // One command at a time: answers come back in order.
      const answer = queue.then(
        () =>
          new Promise((resolve) => {
            waiting.push(resolve);
            child.stdin.write(`create ${topic} ${partitions} ${replicationFactor}\n`);
          }),
      );
      queue = answer;
      return answer;
    },
    stop() {
      child.stdin.end();
      return new Promise((resolve) => {
        if (child.exitCode !== null) resolve();
        else child.once('exit', () => resolve());
      });
    },
  };
}

async function startKcatMock(brokerCount) {
  const child = spawn(
    'kcat',
    ['-C', '-b', '127.0.0.1:1', '-X', `test.mock.num.brokers=${brokerCount}`, '-t', '__warmup'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  // The mock keeps logging on stderr: keep reading it so kcat never blocks on a full pipe.
  const lines = createInterface({ input: child.stderr });
  const [, bootstrap] = await waitForLine(lines, /replaced with (\S+)/, 10_000, 'kcat mock');
  return {
    bootstrap: bootstrap.split(','),
    createTopic: undefined,
    stop() {
      child.kill('SIGTERM');
      return new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) resolve();
        else child.once('exit', () => resolve());
      });
    },
  };
}

/**
 * Starts a mock cluster (unless `upstream` is given) and a front for it.
 * @returns {Promise<{ bootstrap: string, engine: string, stop: () => Promise<void> }>}
 */
export async function startKafkaMock({ brokers = 3, basePort, engine = 'auto', upstream } = {}) {
  let mock = null;
  let used = 'upstream';
  if (!upstream) {
    const binary = engine === 'kcat' ? null : buildMockCluster();
    if (binary) {
      mock = await startCMock(binary, brokers);
      used = 'c';
    } else if (engine === 'c') {
      throw new Error('cannot compile mock-cluster.c: install a C compiler and librdkafka-dev');
    } else {
      mock = await startKcatMock(brokers);
      used = 'kcat';
    }
  }
  const front = await startKafkaFront({
    upstream: upstream ?? mock.bootstrap,
    basePort,
    brokerCount: mock ? brokers : undefined,
    createTopic: mock?.createTopic,
  });
  return {
    bootstrap: front.bootstrap,
    engine: used,
    async stop() {
      await front.close();
      await mock?.stop();
    },
  };
}

function parseArguments(argv) {
  const options = {};
  for (let index = 0; index < argv.length; index += 2) {
    const [name, value] = [argv[index], argv[index + 1]];
    if (name === '--ignore-stdin') {
      options.ignoreStdin = true;
      index -= 1;
    } else if (name === '--brokers') options.brokers = Number(value);
    else if (name === '--base-port') options.basePort = Number(value);
    else if (name === '--engine') options.engine = value;
    else if (name === '--upstream') options.upstream = value.split(',');
    else throw new Error(`unknown option ${name}`);
  }
  return options;
}

async function main() {
  const { ignoreStdin, ...options } = parseArguments(process.argv.slice(2));
  const cluster = await startKafkaMock(options);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await cluster.stop();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  if (!ignoreStdin) {
    process.stdin.on('end', stop);
    process.stdin.on('close', stop);
    process.stdin.resume();
  }
  process.stdout.write(`READY ${cluster.bootstrap} ${cluster.engine}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error) => {
    process.stderr.write(`kafka-mock: ${error?.stack ?? error}\n`);
    process.exit(1);
  });
}
