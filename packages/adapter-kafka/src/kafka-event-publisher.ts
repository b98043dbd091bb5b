import {
  type CloudEvent,
  type EventPublisher,
  InvalidStateError,
  type Logger,
  silentLogger,
} from '@stockroom/core';
import {
  type Admin,
  type CompressionTypes,
  type Kafka,
  type Message,
  Partitioners,
  type Producer,
  type RetryOptions,
  type TopicMessages,
} from 'kafkajs';
import { cloudEventHeaders } from './cloud-event-headers.js';
import { type TopicNaming, topicNamer } from './topics.js';
import { translateKafkaError } from './translate-kafka-error.js';

/** Options of {@link KafkaEventPublisher}. */
export interface KafkaEventPublisherOptions {
  /** The kafkajs client to open the producer with (a client holds no connection itself). */
  readonly kafka: Kafka;
  /** Topic names: a prefix or a function of the event type. @default the event type itself */
  readonly topics?: TopicNaming;
  /**
   * The producer's retries within one publish. Bounded on purpose: when they run out, publish
   * throws and the events stay in the outbox, which is the retry loop that survives restarts.
   * @default { retries: 5 } (about 10 s of backoff)
   */
  readonly retry?: RetryOptions;
  /** How long a broker may take to acknowledge a produce request, in ms. @default 30000 */
  readonly ackTimeoutMs?: number;
  /** Batch compression. @default none */
  readonly compression?: CompressionTypes;
  readonly logger?: Logger;
}

/**
 * The outbox relay's {@link EventPublisher} on Kafka (kafkajs).
 *
 * - Idempotent producer with `acks: -1` (all in-sync replicas): a broker retry never writes a
 *   message twice and an acknowledged message survives a broker loss (with replication ≥ 3
 *   and `min.insync.replicas` ≥ 2 on the topics).
 * - One topic per event type; message key = SKU (the CloudEvent `subject`), so one SKU's events
 *   of one type land in one partition, in order.
 * - CloudEvents binary mode: `ce_*` and `content-type` headers, the event's `data` as JSON value.
 * - One `publish` is one batched send; it resolves only when every message was acknowledged.
 *   When it throws, the relay keeps the events; after a failure the producer is replaced (a new
 *   producer id), so a batch the broker wrote but never acknowledged may be written again with
 *   the same event ids: delivery is at-least-once, consumers dedupe on `ce_id`.
 *
 * @example
 * ```ts
 * const publisher = new KafkaEventPublisher({ kafka: new Kafka({ brokers: ['kafka:9092'] }) });
 * await publisher.connect();
 * const stockroom = createStockroom({ store, publisher });
 * setInterval(() => void stockroom.relay?.drain(), 1000);
 * ```
 */
export class KafkaEventPublisher implements EventPublisher {
  private readonly topicOf: (type: CloudEvent['type']) => string;
  private readonly logger: Logger;
  private producer: Producer | undefined;
  private connecting: Promise<Producer> | undefined;
  private admin: Admin | undefined;
  private closed = false;

  constructor(private readonly options: KafkaEventPublisherOptions) {
    this.topicOf = topicNamer(options.topics);
    this.logger = options.logger ?? silentLogger;
  }

  /** The topic an event goes to. */
  topicFor(event: Pick<CloudEvent, 'type'>): string {
    return this.topicOf(event.type);
  }

  /**
   * Opens the producer (and fetches cluster metadata). `publish` connects on first use too;
   * calling this at start-up makes a bad broker list fail fast.
   * @throws STORE_UNAVAILABLE when the cluster cannot be reached; INVALID_STATE after `close`
   */
  async connect(): Promise<void> {
    await this.ready();
  }

  /**
   * Sends the events as one batch and waits for every acknowledgement (`acks: -1`).
   * @throws STORE_UNAVAILABLE when the cluster cannot be reached in the retry budget (the
   *   events stay in the outbox); INVALID_STATE after `close`; other kafkajs errors as they are
   */
  async publish(events: readonly CloudEvent[]): Promise<void> {
    if (events.length === 0) return;
    const producer = await this.ready();
    try {
      await producer.sendBatch({
        topicMessages: this.toTopicMessages(events),
        acks: -1,
        timeout: this.options.ackTimeoutMs ?? 30_000,
        ...(this.options.compression === undefined
          ? {}
          : { compression: this.options.compression }),
      });
    } catch (error) {
      this.logger.warn(
        { err: error, events: events.length },
        'kafka publish failed; replacing the producer',
      );
      await this.dropProducer(producer);
      throw translateKafkaError(error, 'publishing events');
    }
  }

  /**
   * Checks the cluster answers (a metadata round trip), for readiness probes.
   * @throws STORE_UNAVAILABLE when it does not
   */
  async ping(): Promise<void> {
    if (this.closed) throw new InvalidStateError('KafkaEventPublisher is closed', 'CLOSED');
    try {
      if (!this.admin) {
        const admin = this.options.kafka.admin();
        await admin.connect();
        this.admin = admin;
      }
      await this.admin.describeCluster();
    } catch (error) {
      throw translateKafkaError(error, 'checking the cluster');
    }
  }

  /** Closes the producer; `publish` connects again afterwards. Idempotent. */
  async disconnect(): Promise<void> {
    const producer = this.producer ?? (await this.connecting?.catch(() => undefined));
    this.producer = undefined;
    this.connecting = undefined;
    const admin = this.admin;
    this.admin = undefined;
    await Promise.all([producer?.disconnect(), admin?.disconnect()]);
  }

  /** Disconnects for good: `publish` then throws INVALID_STATE. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    await this.disconnect();
  }

  private toTopicMessages(events: readonly CloudEvent[]): TopicMessages[] {
    // Map keeps insertion order: each topic's messages stay in the order given.
    const byTopic = new Map<string, Message[]>();
    for (const event of events) {
      const topic = this.topicFor(event);
      let messages = byTopic.get(topic);
      if (!messages) {
        messages = [];
        byTopic.set(topic, messages);
      }
      const time = Date.parse(event.time);
      messages.push({
        key: event.subject,
        value: JSON.stringify(event.data),
        headers: cloudEventHeaders(event),
        ...(Number.isNaN(time) ? {} : { timestamp: String(time) }),
      });
    }
    return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
  }

  private ready(): Promise<Producer> {
    if (this.closed) {
      return Promise.reject(new InvalidStateError('KafkaEventPublisher is closed', 'CLOSED'));
    }
    if (this.producer) return Promise.resolve(this.producer);
    this.connecting ??= this.open();
    return this.connecting;
  }

  private async open(): Promise<Producer> {
    const producer = this.options.kafka.producer({
      idempotent: true,
      // One request in flight per broker: a retried batch can never overtake the next one.
      maxInFlightRequests: 1,
      retry: this.options.retry ?? { retries: 5 },
      // murmur2 on the key, as the Java client: a SKU lands in the same partition from any client.
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    try {
      await producer.connect();
    } catch (error) {
      this.connecting = undefined;
      await producer.disconnect().catch(() => undefined);
      throw translateKafkaError(error, 'connecting the producer');
    }
    this.producer = producer;
    return producer;
  }

  /** Forgets a producer whose send failed, so the next publish starts a fresh one. */
  private async dropProducer(producer: Producer): Promise<void> {
    if (this.producer !== producer) return;
    this.producer = undefined;
    this.connecting = undefined;
    await producer.disconnect().catch((error: unknown) => {
      this.logger.debug({ err: error }, 'kafka producer disconnect failed');
    });
  }
}
