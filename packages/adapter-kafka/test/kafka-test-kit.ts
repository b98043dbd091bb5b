// Test helpers: the cluster under test, fast client settings, and independent readers.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { type ConsumerConfig, Kafka, type KafkaMessage, logLevel } from 'kafkajs';
import {
  type KafkaTestCluster,
  mockUnavailableReason,
  startKafkaMock,
} from '../../../tools/kafka-mock/start-kafka-mock.js';

const run = promisify(execFile);

/** KAFKA_BROKERS, when set: a real cluster that must pass the same tests. */
export const externalBrokers: string[] | undefined = process.env.KAFKA_BROKERS?.split(',')
  .map((broker) => broker.trim())
  .filter(Boolean);

/** Why no Kafka can be had here, or null. */
export function kafkaUnavailableReason(): string | null {
  return externalBrokers?.length ? null : mockUnavailableReason();
}

/** The cluster the tests talk to. */
export interface KafkaTarget {
  readonly brokers: string[];
  /** True for KAFKA_BROKERS (topics are deleted afterwards; the cluster is not ours to stop). */
  readonly external: boolean;
  stop(): Promise<void>;
}

/** KAFKA_BROKERS when set, else a fresh mock cluster. */
export async function startTarget(): Promise<KafkaTarget> {
  if (externalBrokers?.length) {
    return { brokers: externalBrokers, external: true, stop: async () => {} };
  }
  const cluster = await startKafkaMock({ brokers: 3 });
  return { brokers: cluster.brokers, external: false, stop: () => cluster.stop() };
}

/**
 * A cluster whose outage the test controls: a new mock, or (with KAFKA_BROKERS) a front before
 * the real cluster, so stopping it cuts every connection just the same.
 */
export function startOutageTarget(): Promise<KafkaTestCluster> {
  return externalBrokers?.length
    ? startKafkaMock({ upstream: externalBrokers })
    : startKafkaMock({ brokers: 3 });
}

/** A unique name part, so runs and parallel files never share topics or groups. */
export function uniqueId(): string {
  return `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

/** A kafkajs client with short retries and no log output. */
export function testKafka(brokers: string[], clientId = 'stockroom-test'): Kafka {
  return new Kafka({
    clientId,
    brokers,
    logLevel: logLevel.NOTHING,
    retry: { initialRetryTime: 100, retries: 3 },
  });
}

/** Consumer settings that keep group joins and rebalances short (kafkajs's defaults take ~30 s). */
export const FAST_CONSUMER: Omit<ConsumerConfig, 'groupId'> = {
  sessionTimeout: 6000,
  rebalanceTimeout: 3000,
  heartbeatInterval: 500,
  maxWaitTimeInMs: 100,
  retry: { initialRetryTime: 100, retries: 3 },
};

/** One record read back from Kafka. */
export interface ReadRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly key: string | null;
  readonly value: string | null;
  readonly headers: Record<string, string>;
}

function toRecord(topic: string, partition: number, message: KafkaMessage): ReadRecord {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) headers[name] = first.toString();
  }
  return {
    topic,
    partition,
    offset: Number(message.offset),
    key: message.key?.toString() ?? null,
    value: message.value?.toString() ?? null,
    headers,
  };
}

/**
 * Reads every record of `topics` up to their current end offsets with a kafkajs consumer in a
 * fresh group: the log as it is now, each record once, in offset order per partition.
 */
export async function readTopics(kafka: Kafka, topics: readonly string[]): Promise<ReadRecord[]> {
  const admin = kafka.admin();
  await admin.connect();
  const remaining = new Map<string, number>(); // "topic/partition" → end offset
  try {
    const existing = new Set(await admin.listTopics());
    for (const topic of topics.filter((name) => existing.has(name))) {
      for (const partition of await admin.fetchTopicOffsets(topic)) {
        if (Number(partition.high) > Number(partition.low)) {
          remaining.set(`${topic}/${partition.partition}`, Number(partition.high));
        }
      }
    }
  } finally {
    await admin.disconnect();
  }
  if (remaining.size === 0) return [];
  const records: ReadRecord[] = [];
  const consumer = kafka.consumer({ ...FAST_CONSUMER, groupId: `reader-${uniqueId()}` });
  await consumer.connect();
  try {
    await consumer.subscribe({
      topics: [...new Set([...remaining.keys()].map((key) => key.slice(0, key.lastIndexOf('/'))))],
      fromBeginning: true,
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`readTopics: still waiting for ${[...remaining.keys()]}`)),
        20_000,
      );
      void consumer.run({
        eachMessage: async ({ topic, partition, message }) => {
          const key = `${topic}/${partition}`;
          const end = remaining.get(key);
          if (end === undefined || Number(message.offset) >= end) return;
          records.push(toRecord(topic, partition, message));
          if (Number(message.offset) + 1 >= end) remaining.delete(key);
          if (remaining.size === 0) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return records;
}

/** What `kcat -C -J` prints per record. */
export interface KcatRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly key: string | null;
  readonly payload: string | null;
  /** Flat [name, value, name, value, …]. */
  readonly headers?: string[];
}

/** Reads a topic from the beginning to its end with kcat, an independent (librdkafka) client. */
export async function kcatRead(brokers: readonly string[], topic: string): Promise<KcatRecord[]> {
  const { stdout } = await run(
    'kcat',
    ['-C', '-J', '-q', '-e', '-o', 'beginning', '-b', brokers.join(','), '-t', topic],
    { timeout: 20_000, maxBuffer: 64 * 1024 * 1024 },
  );
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as KcatRecord);
}

/** Keeps reading topics into memory; tests wait on what arrives (no sleeps). */
export class TopicCollector {
  readonly records: ReadRecord[] = [];
  private readonly waiters: Array<{ test: () => boolean; resolve: () => void }> = [];
  private consumer: ReturnType<Kafka['consumer']> | undefined;

  async start(kafka: Kafka, topics: readonly string[]): Promise<void> {
    const consumer = kafka.consumer({ ...FAST_CONSUMER, groupId: `collector-${uniqueId()}` });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topics: [...topics], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        this.records.push(toRecord(topic, partition, message));
        for (const waiter of [...this.waiters]) {
          if (waiter.test()) {
            this.waiters.splice(this.waiters.indexOf(waiter), 1);
            waiter.resolve();
          }
        }
      },
    });
  }

  /** Resolves with the matching records once `count` of them arrived. */
  waitFor(match: (record: ReadRecord) => boolean, count = 1, timeoutMs = 20_000) {
    return waitUntil(
      this.waiters,
      () => this.records.filter(match).length >= count,
      () => this.records.filter(match),
      timeoutMs,
    );
  }

  async close(): Promise<void> {
    await this.consumer?.disconnect();
  }
}

/** Resolves `result()` once `test()` holds, checked now and whenever a waiter list is polled. */
export function waitUntil<T>(
  waiters: Array<{ test: () => boolean; resolve: () => void }>,
  test: () => boolean,
  result: () => T,
  timeoutMs: number,
): Promise<T> {
  if (test()) return Promise.resolve(result());
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out waiting')), timeoutMs);
    waiters.push({
      test,
      resolve: () => {
        clearTimeout(timer);
        resolve(result());
      },
    });
  });
}
