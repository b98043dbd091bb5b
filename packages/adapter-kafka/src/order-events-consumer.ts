import {
  type ChangeContext,
  type Clock,
  ErrorCode,
  isStockroomError,
  type Logger,
  type Shortfall,
  silentLogger,
  systemClock,
} from '@stockroom/core';
import {
  type Consumer,
  type EachMessagePayload,
  type IHeaders,
  type KafkaMessage,
  Partitioners,
  type Producer,
  type TopicMessages,
} from 'kafkajs';
import {
  type OrderEventOutcome,
  type OrderEventsConsumerOptions,
  type OrderReply,
  OrderReplyType,
  toReply,
} from './order-events-types.js';
import {
  DeadLetterReason,
  decodeOrderMessage,
  type OrderEvent,
  type OrderEventKind,
} from './order-messages.js';
import {
  DEFAULT_DEAD_LETTER_TOPIC,
  DEFAULT_ORDER_TOPICS,
  DEFAULT_REPLY_TOPIC,
  type OrderTopics,
} from './topics.js';
import { translateKafkaError } from './translate-kafka-error.js';

/** Core error codes that mean "this message will never succeed": dead-letter it. */
const PERMANENT: ReadonlyMap<string, DeadLetterReason> = new Map([
  [ErrorCode.VALIDATION_FAILED, DeadLetterReason.VALIDATION_FAILED],
  [ErrorCode.IDEMPOTENCY_KEY_REUSED, DeadLetterReason.IDEMPOTENCY_KEY_REUSED],
  [ErrorCode.INVALID_STATE, DeadLetterReason.INVALID_STATE],
  [ErrorCode.NOT_FOUND, DeadLetterReason.NOT_FOUND],
]);

const nextOffset = (offset: string): string => (BigInt(offset) + 1n).toString();

/**
 * Drives the order saga from Kafka. Each message is one saga step, keyed for idempotency by its
 * CloudEvents id, so a redelivered message changes nothing:
 *
 * | topic (default)      | step                                   | reply                  |
 * |----------------------|----------------------------------------|------------------------|
 * | `orders.placed`      | `placed`: reserve the items            | `reserved` / `rejected`|
 * | `payments.succeeded` | `paymentSucceeded`: commit             | –                      |
 * | `payments.failed`    | `paymentFailed`: release               | –                      |
 * | `orders.cancelled`   | `cancel`: release and refund           | –                      |
 *
 * A message's offset is committed only after its step, its reply (or its dead letter) are done.
 * A message that can never succeed (see {@link DeadLetterReason}) goes to the dead-letter topic
 * with the reason in its headers, and the consumer moves on. Any other failure (store or Kafka
 * unavailable, a bug) is thrown to kafkajs, which retries the message, then restarts the
 * consumer; its offset stays uncommitted, so it is processed again.
 */
export class OrderEventsConsumer {
  /** Totals since start, for metrics. */
  readonly stats = { processed: 0, deadLettered: 0, failedAttempts: 0 };
  private readonly topics: OrderTopics;
  private readonly kindOf: ReadonlyMap<string, OrderEventKind>;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private consumer: Consumer | undefined;
  private producer: Producer | undefined;
  private joined: Promise<void> | undefined;

  constructor(private readonly options: OrderEventsConsumerOptions) {
    this.topics = { ...DEFAULT_ORDER_TOPICS, ...options.topics };
    this.kindOf = new Map(
      (Object.keys(this.topics) as OrderEventKind[]).map((kind) => [this.topics[kind], kind]),
    );
    if (this.kindOf.size !== 4) throw new TypeError('the four order topics must be distinct');
    this.logger = options.logger ?? silentLogger;
    this.clock = options.clock ?? systemClock;
  }

  /** The topics read. */
  get inputTopics(): string[] {
    return [...this.kindOf.keys()];
  }

  /**
   * Connects, joins the group and starts processing. Resolves once the consumer runs; use
   * {@link joined} to wait for the first partition assignment.
   * @throws STORE_UNAVAILABLE when the cluster cannot be reached
   */
  async start(): Promise<void> {
    if (this.consumer) throw new TypeError('OrderEventsConsumer already started');
    const { kafka } = this.options;
    const producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      retry: this.options.producerRetry ?? { retries: 5 },
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    const consumer = kafka.consumer({ ...this.options.consumer, groupId: this.options.groupId });
    this.producer = producer;
    this.consumer = consumer;
    this.joined = new Promise((resolve) => {
      const remove = consumer.on(consumer.events.GROUP_JOIN, () => {
        remove();
        resolve();
      });
    });
    consumer.on(consumer.events.CRASH, (event) => {
      this.logger.error(
        { err: event.payload.error, restart: event.payload.restart },
        'order consumer crashed',
      );
    });
    try {
      await producer.connect();
      await consumer.connect();
      await consumer.subscribe({
        topics: this.inputTopics,
        fromBeginning: this.options.fromBeginning ?? false,
      });
      await consumer.run({
        autoCommit: false,
        partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 1,
        eachMessage: (payload) => this.onMessage(payload),
      });
    } catch (error) {
      await this.close();
      throw translateKafkaError(error, 'starting the order consumer');
    }
  }

  /** Resolves when the consumer first joined its group (partitions assigned). */
  joinedGroup(): Promise<void> {
    if (!this.joined) return Promise.reject(new TypeError('OrderEventsConsumer not started'));
    return this.joined;
  }

  /** Leaves the group and disconnects. Idempotent. */
  async close(): Promise<void> {
    const { consumer, producer } = this;
    this.consumer = undefined;
    this.producer = undefined;
    await consumer?.disconnect();
    await producer?.disconnect();
  }

  private async onMessage({ topic, partition, message }: EachMessagePayload): Promise<void> {
    const consumer = this.consumer;
    if (!consumer) return;
    const kind = this.kindOf.get(topic);
    if (!kind) return;
    let outcome: OrderEventOutcome;
    try {
      outcome = await this.settle(kind, topic, partition, message);
      await consumer.commitOffsets([{ topic, partition, offset: nextOffset(message.offset) }]);
    } catch (error) {
      this.stats.failedAttempts += 1;
      this.logger.warn(
        { err: error, topic, partition, offset: message.offset },
        'order event failed; it will be retried',
      );
      throw translateKafkaError(error, 'processing an order event');
    }
    if (outcome.kind === 'processed') this.stats.processed += 1;
    else this.stats.deadLettered += 1;
    this.options.onOutcome?.(outcome);
  }

  private async settle(
    kind: OrderEventKind,
    topic: string,
    partition: number,
    message: KafkaMessage,
  ): Promise<OrderEventOutcome> {
    const where = { topic, partition, offset: message.offset };
    const decoded = decodeOrderMessage(kind, message);
    if (!decoded.ok) {
      const { reason, detail } = decoded;
      await this.send([this.deadLetter(where, message, reason, detail)]);
      return { kind: 'dead-lettered', ...where, eventId: null, reason, detail };
    }
    const event = decoded.event;
    try {
      return await this.apply(event, where, message);
    } catch (error) {
      const reason = isStockroomError(error) ? PERMANENT.get(error.code) : undefined;
      if (!reason) throw error;
      const detail = error instanceof Error ? error.message : String(error);
      await this.send([this.deadLetter(where, message, reason, detail)]);
      return { kind: 'dead-lettered', ...where, eventId: event.id, reason, detail };
    }
  }

  private async apply(
    event: OrderEvent,
    where: { topic: string; partition: number; offset: string },
    message: KafkaMessage,
  ): Promise<OrderEventOutcome> {
    const { orders } = this.options.stockroom;
    const context = (reason?: string): ChangeContext => ({
      idempotencyKey: event.id,
      idempotencyScope: this.options.idempotencyScope ?? 'order-events',
      actor: `kafka:${where.topic}`,
      reference: event.data.orderId,
      ...(reason ? { reason } : {}),
    });
    const processed = {
      kind: 'processed' as const,
      ...where,
      event: event.kind,
      eventId: event.id,
    };
    switch (event.kind) {
      case 'placed': {
        const result = await orders.placed(event.data, context());
        const reply = toReply(event.data.orderId, result);
        const replyMessage = this.reply(event.id, reply);
        const unknown =
          result.status === 'rejected' ? await this.unknownSkus(result.shortfalls) : [];
        if (unknown.length > 0) {
          const detail = `unknown SKU: ${unknown.join(', ')}`;
          const reason = DeadLetterReason.UNKNOWN_SKU;
          await this.send([replyMessage, this.deadLetter(where, message, reason, detail)]);
          return { kind: 'dead-lettered', ...where, eventId: event.id, reason, detail, reply };
        }
        await this.send([replyMessage]);
        return { ...processed, reply };
      }
      case 'paymentSucceeded': {
        const committed = await orders.paymentSucceeded(event.data.orderId, context());
        this.warnIfNone(committed.length, event);
        return { ...processed, affected: committed.length };
      }
      case 'paymentFailed': {
        const released = await orders.paymentFailed(
          event.data.orderId,
          context(event.data.reason ?? 'payment failed'),
        );
        this.warnIfNone(released.length, event);
        return { ...processed, affected: released.length };
      }
      case 'cancelled': {
        const result = await orders.cancel(
          event.data.orderId,
          event.data.items,
          context(event.data.reason ?? 'order cancelled'),
        );
        return { ...processed, affected: result.released.length + result.refunded.length };
      }
    }
  }

  private warnIfNone(count: number, event: OrderEvent): void {
    // Normal for a redelivery; otherwise the order was never reserved here, or its hold is gone.
    if (count === 0) {
      this.logger.warn(
        { orderId: event.data.orderId, eventId: event.id, event: event.kind },
        'order event found no ACTIVE reservation',
      );
    }
  }

  /** The short SKUs that have no stock row in any warehouse. */
  private async unknownSkus(shortfalls: readonly Shortfall[]): Promise<string[]> {
    const candidates = [
      ...new Set(shortfalls.filter((item) => item.available === 0).map((item) => item.sku)),
    ];
    if (candidates.length === 0) return [];
    const rows = await this.options.stockroom.store.reads.stockBySkus(candidates);
    const known = new Set(rows.map((row) => row.sku));
    return candidates.filter((sku) => !known.has(sku));
  }

  private reply(eventId: string, reply: OrderReply): TopicMessages {
    return {
      topic: this.options.replyTopic ?? DEFAULT_REPLY_TOPIC,
      messages: [
        {
          key: reply.orderId,
          value: JSON.stringify(reply),
          headers: {
            ce_specversion: '1.0',
            // Derived from the request's id: a reply to a redelivered message has the same id.
            ce_id: `reply-${eventId}`,
            ce_type:
              reply.status === 'reserved' ? OrderReplyType.RESERVED : OrderReplyType.REJECTED,
            ce_source: this.options.source ?? 'stockroom',
            ce_time: this.clock.now().toISOString(),
            ce_subject: reply.orderId,
            ce_causationid: eventId,
            'content-type': 'application/json',
          },
        },
      ],
    };
  }

  private deadLetter(
    where: { topic: string; partition: number; offset: string },
    message: KafkaMessage,
    reason: DeadLetterReason,
    detail: string,
  ): TopicMessages {
    const headers: IHeaders = {
      ...message.headers,
      dlq_reason: reason,
      dlq_detail: detail.slice(0, 1000),
      dlq_topic: where.topic,
      dlq_partition: String(where.partition),
      dlq_offset: where.offset,
      dlq_group: this.options.groupId,
      dlq_time: this.clock.now().toISOString(),
    };
    this.logger.warn({ ...where, reason, detail }, 'order event dead-lettered');
    return {
      topic: this.options.deadLetterTopic ?? DEFAULT_DEAD_LETTER_TOPIC,
      messages: [{ key: message.key, value: message.value, headers }],
    };
  }

  private async send(topicMessages: TopicMessages[]): Promise<void> {
    const producer = this.producer;
    if (!producer) throw new TypeError('OrderEventsConsumer is closed');
    await producer.sendBatch({ topicMessages, acks: -1 });
  }
}
