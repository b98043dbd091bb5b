import {
  type CloudEvent,
  createMemoryStockStore,
  createStockroom,
  type EventPublisher,
  OutboxRelay,
  type Stockroom,
  StoreUnavailableError,
  silentLogger,
} from '@stockroom/core';
import { seedWarehouses, stock, unavailableService } from '@stockroom/core/testing';
import type { Kafka, Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasKcat } from '../../../tools/kafka-mock/start-kafka-mock.js';
import {
  cloudEventHeaders,
  createTopics,
  DeadLetterReason,
  inventoryTopics,
  KafkaEventPublisher,
  type OrderEventOutcome,
  OrderEventsConsumer,
  OrderReplyType,
  type OrderSteps,
  type OrderTopics,
} from '../src/index.js';
import {
  FAST_CONSUMER,
  type KafkaTarget,
  kafkaUnavailableReason,
  kcatRead,
  type ReadRecord,
  readTopics,
  startOutageTarget,
  startTarget,
  TopicCollector,
  testKafka,
  uniqueId,
  waitUntil,
} from './kafka-test-kit.js';

const unavailable = kafkaUnavailableReason();
const skipKafka = unavailableService('kafka', unavailable === null, unavailable ?? '');
const skipKcat = skipKafka || unavailableService('kcat', hasKcat(), 'kcat not installed');
const run = uniqueId();
/** Starting a cluster, creating topics and joining groups: seconds each on a busy machine. */
const HOOK_TIMEOUT_MS = 60_000;

/** Passes events on and remembers those the inner publisher accepted, in order. */
class RecordingPublisher implements EventPublisher {
  readonly delivered: CloudEvent[] = [];
  constructor(private readonly inner: EventPublisher) {}
  async publish(events: readonly CloudEvent[]): Promise<void> {
    await this.inner.publish(events);
    this.delivered.push(...events);
  }
}

const reservationIdOf = (record: ReadRecord): unknown =>
  (JSON.parse(record.value ?? '{}') as { reservationId?: unknown }).reservationId;

/** The records grouped by (topic, key), each group in offset order. */
function byTopicAndKey(records: readonly ReadRecord[]): Map<string, ReadRecord[]> {
  const groups = new Map<string, ReadRecord[]>();
  for (const record of records) {
    const key = `${record.topic} ${record.key}`;
    groups.set(key, [...(groups.get(key) ?? []), record]);
  }
  for (const group of groups.values()) group.sort((left, right) => left.offset - right.offset);
  return groups;
}

// Group joins take ~3 s on the mock; a broker outage takes a few seconds of failed retries.
describe.skipIf(skipKafka)('Kafka adapter', { timeout: 30_000 }, () => {
  let target: KafkaTarget;
  let kafka: Kafka;
  let replication: number;
  const created: string[] = [];

  beforeAll(async () => {
    target = await startTarget();
    kafka = testKafka(target.brokers);
    const admin = kafka.admin();
    await admin.connect();
    replication = Math.min(3, (await admin.describeCluster()).brokers.length);
    await admin.disconnect();
  }, HOOK_TIMEOUT_MS);

  afterAll(async () => {
    if (target?.external && created.length > 0) {
      const admin = kafka.admin();
      await admin.connect();
      await admin.deleteTopics({ topics: created }).catch(() => undefined);
      await admin.disconnect();
    }
    await target?.stop();
  }, HOOK_TIMEOUT_MS);

  async function createFor(topics: string[], partitions = 3): Promise<void> {
    created.push(...topics);
    await createTopics({ kafka, topics, partitions, replicationFactor: replication });
  }

  describe('createTopics', () => {
    it('creates topics with the partition count and replication factor, once', async () => {
      const topics = inventoryTopics({ prefix: `${run}.admin.` });
      created.push(...topics);
      const first = await createTopics({
        kafka,
        topics,
        partitions: 5,
        replicationFactor: replication,
      });
      expect(first).toEqual({ created: topics, existing: [] });
      const admin = kafka.admin();
      await admin.connect();
      try {
        const metadata = await admin.fetchTopicMetadata({ topics });
        expect(metadata.topics).toHaveLength(19);
        for (const topic of metadata.topics) {
          expect(topic.partitions).toHaveLength(5);
          for (const partition of topic.partitions) {
            expect(partition.replicas).toHaveLength(replication);
          }
        }
        const again = await createTopics({
          admin,
          topics,
          partitions: 5,
          replicationFactor: replication,
        });
        expect(again).toEqual({ created: [], existing: topics });
        await expect(
          createTopics({
            admin,
            topics: [`${run}.admin.too-many-replicas`],
            partitions: 1,
            replicationFactor: 99,
          }),
        ).rejects.toMatchObject({ errors: [{ type: 'INVALID_REPLICATION_FACTOR' }] });
      } finally {
        await admin.disconnect();
      }
    });
  });

  describe('KafkaEventPublisher end to end', () => {
    const prefix = `${run}.e2e.`;
    const skus = [`A-${run}`, `B-${run}`];
    let stockroom: Stockroom;
    let recording: RecordingPublisher;
    let publisher: KafkaEventPublisher;
    const holdsBySku = new Map<string, string[]>();
    /** The topics as an independent kafkajs consumer reads them after the relay drained. */
    let records: ReadRecord[];

    beforeAll(async () => {
      await createFor(inventoryTopics({ prefix }));
      publisher = new KafkaEventPublisher({ kafka, topics: { prefix } });
      await publisher.connect();
      recording = new RecordingPublisher(publisher);
      stockroom = createStockroom({ store: createMemoryStockStore(), publisher: recording });
      await seedWarehouses(stockroom);
      await stock(stockroom, skus[0]!, 'paris', 20);
      await stock(stockroom, skus[1]!, 'london', 20);
      for (let index = 0; index < 10; index += 1) {
        const sku = skus[index % 2]!;
        const hold = await stockroom.reservations.reserve({
          items: [{ sku, quantity: 1 }],
          orderId: `order-${index}`,
        });
        holdsBySku.set(sku, [...(holdsBySku.get(sku) ?? []), hold.id]);
      }
      await stockroom.reservations.commit(holdsBySku.get(skus[0]!)![0]!);
      await stockroom.reservations.release(holdsBySku.get(skus[1]!)![0]!);
      await stockroom.relay!.drain();
      records = await readTopics(kafka, inventoryTopics({ prefix }));
    }, HOOK_TIMEOUT_MS);

    afterAll(async () => {
      await publisher?.close();
    }, HOOK_TIMEOUT_MS);

    it('delivers every outbox event once, keyed by SKU, with CloudEvents headers', async () => {
      expect(await stockroom.store.reads.outboxLag()).toEqual({ pending: 0, oldest: null });
      const delivered = recording.delivered;
      expect(delivered.length).toBeGreaterThanOrEqual(14);
      expect(records).toHaveLength(delivered.length);
      const byId = new Map(records.map((record) => [record.headers.ce_id, record]));
      expect(byId.size).toBe(records.length);
      for (const event of delivered) {
        const record = byId.get(event.id);
        expect(record, event.id).toBeDefined();
        expect(record!.topic).toBe(`${prefix}${event.type}`);
        expect(record!.key).toBe(event.subject);
        expect(record!.headers).toEqual(cloudEventHeaders(event));
        expect(JSON.parse(record!.value!)).toEqual(event.data);
      }
    });

    it('keeps each SKU in one partition per topic, in the order the events happened', () => {
      for (const [group, items] of byTopicAndKey(records)) {
        expect(new Set(items.map((item) => item.partition)).size, group).toBe(1);
        const [topic, key] = group.split(' ');
        const expected = recording.delivered
          .filter((event) => `${prefix}${event.type}` === topic && event.subject === key)
          .map((event) => event.id);
        expect(items.map((item) => item.headers.ce_id)).toEqual(expected);
      }
      for (const sku of skus) {
        const reserved = records
          .filter((record) => record.topic === `${prefix}inventory.reserved` && record.key === sku)
          .sort((left, right) => left.offset - right.offset);
        expect(reserved.map(reservationIdOf)).toEqual(holdsBySku.get(sku));
      }
    });

    it.skipIf(skipKcat)('is read the same by kcat -C -J (librdkafka)', async () => {
      const records = (
        await Promise.all(
          inventoryTopics({ prefix }).map((topic) => kcatRead(target.brokers, topic)),
        )
      ).flat();
      expect(records).toHaveLength(recording.delivered.length);
      const byId = new Map(
        records.map((record) => {
          const headers: Record<string, string> = {};
          const flat = record.headers ?? [];
          for (let index = 0; index < flat.length; index += 2) {
            headers[flat[index]!] = flat[index + 1]!;
          }
          return [headers.ce_id, { record, headers }];
        }),
      );
      expect(byId.size).toBe(records.length);
      for (const event of recording.delivered) {
        const found = byId.get(event.id);
        expect(found, event.id).toBeDefined();
        expect(found!.record.topic).toBe(`${prefix}${event.type}`);
        expect(found!.record.key).toBe(event.subject);
        expect(found!.headers).toEqual(cloudEventHeaders(event));
        expect(JSON.parse(found!.record.payload!)).toEqual(event.data);
      }
    });
  });

  describe('broker outage', () => {
    it('keeps serving, grows the outbox, and delivers each event once to a new broker', async () => {
      const prefix = `${run}.outage.`;
      const topics = inventoryTopics({ prefix });
      created.push(...topics);
      const sku = `OUT-${run}`;
      const store = createMemoryStockStore();
      let first = await startOutageTarget();
      const firstPublisher = new KafkaEventPublisher({
        kafka: testKafka(first.brokers),
        topics: { prefix },
        retry: { retries: 2, initialRetryTime: 100 },
      });
      const stockroom = createStockroom({ store, publisher: firstPublisher });
      await seedWarehouses(stockroom);
      await stock(stockroom, sku, 'paris', 1000);
      const before: string[] = [];
      for (let index = 0; index < 4; index += 1) {
        before.push((await stockroom.reservations.reserve({ items: [{ sku, quantity: 1 }] })).id);
      }
      const deliveredBefore = await stockroom.relay!.drain();
      expect(deliveredBefore).toBeGreaterThanOrEqual(5);
      const logBefore = await readTopics(testKafka(first.brokers), topics);
      expect(logBefore).toHaveLength(deliveredBefore);

      await firstPublisher.ping();
      await first.stop();
      await expect(firstPublisher.ping()).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
      const during: string[] = [];
      let pending = 0;
      for (let round = 0; round < 3; round += 1) {
        // Reservations never touch Kafka: none fails while it is down.
        const holds = await Promise.all(
          Array.from({ length: 3 }, () =>
            stockroom.reservations.reserve({ items: [{ sku, quantity: 1 }] }),
          ),
        );
        during.push(...holds.map((hold) => hold.id));
        const attempt = await stockroom.relay!.runOnce();
        expect(attempt.published).toBe(0);
        expect(attempt.failed).toBeGreaterThan(pending);
        const lag = await store.reads.outboxLag();
        expect(lag.pending).toBe(attempt.failed);
        expect(lag.pending).toBeGreaterThan(pending);
        pending = lag.pending;
      }
      const [waiting] = await store.transaction((transaction) => transaction.outbox.claim(1));
      await expect(firstPublisher.publish([waiting!.event])).rejects.toMatchObject({
        code: 'STORE_UNAVAILABLE',
      });
      await firstPublisher.close();

      const second = await startOutageTarget();
      first = second;
      const secondPublisher = new KafkaEventPublisher({
        kafka: testKafka(second.brokers),
        topics: { prefix },
      });
      try {
        const relay = new OutboxRelay({ store, publisher: secondPublisher, logger: silentLogger });
        expect(await relay.drain()).toBe(pending);
        expect(await store.reads.outboxLag()).toEqual({ pending: 0, oldest: null });
        const log = await readTopics(testKafka(second.brokers), topics);
        // A mock is a new, empty broker; behind a front, a real cluster keeps the first part.
        const external = second.engine === 'upstream';
        expect(log).toHaveLength(pending + (external ? deliveredBefore : 0));
        const ids = log.map((record) => record.headers.ce_id);
        expect(new Set(ids).size).toBe(ids.length);
        const reserved = log
          .filter((record) => record.topic === `${prefix}inventory.reserved`)
          .sort((left, right) => left.offset - right.offset)
          .map(reservationIdOf);
        expect(reserved).toEqual(external ? [...before, ...during] : during);
        if (!external) {
          const earlier = new Set(logBefore.map((record) => record.headers.ce_id));
          expect(ids.filter((id) => earlier.has(id))).toEqual([]);
        }
      } finally {
        await secondPublisher.close();
        await second.stop();
      }
    });
  });

  describe('OrderEventsConsumer', () => {
    const prefix = `${run}.orders.`;
    const topics: OrderTopics = {
      placed: `${prefix}orders.placed`,
      paymentSucceeded: `${prefix}payments.succeeded`,
      paymentFailed: `${prefix}payments.failed`,
      cancelled: `${prefix}orders.cancelled`,
    };
    const replyTopic = `${prefix}inventory.order.replies`;
    const deadLetterTopic = `${prefix}inventory.orders.dead-letter`;
    const groupId = `stockroom-${run}`;
    const outcomes: OrderEventOutcome[] = [];
    const waiters: Array<{ test: () => boolean; resolve: () => void }> = [];
    const collector = new TopicCollector();
    let stockroom: Stockroom;
    let consumer: OrderEventsConsumer;
    let producer: Producer;

    const settled = (eventId: string, count = 1) =>
      waitUntil(
        waiters,
        () => outcomes.filter((outcome) => outcome.eventId === eventId).length >= count,
        () => outcomes.filter((outcome) => outcome.eventId === eventId),
        20_000,
      );

    /** Sends one order event in CloudEvents binary mode (no id: no ce_* headers). */
    async function send(
      topic: string,
      key: string,
      value: unknown,
      id: string | null = `evt-${uniqueId()}`,
    ): Promise<string> {
      await producer.send({
        topic,
        messages: [
          {
            key,
            value: typeof value === 'string' ? value : JSON.stringify(value),
            headers: id
              ? {
                  ce_specversion: '1.0',
                  ce_id: id,
                  ce_type: 'com.example.order',
                  ce_source: 'shop',
                  'content-type': 'application/json',
                }
              : {},
          },
        ],
      });
      return id ?? '';
    }

    async function newSku(quantity: number): Promise<string> {
      const sku = `SKU-${uniqueId()}`;
      await stock(stockroom, sku, 'paris', quantity);
      return sku;
    }

    async function row(sku: string) {
      const [found] = await stockroom.store.reads.stockBySku(sku);
      return found!;
    }

    beforeAll(async () => {
      await createFor([...Object.values(topics), replyTopic, deadLetterTopic]);
      stockroom = createStockroom({ store: createMemoryStockStore() });
      await seedWarehouses(stockroom);
      producer = kafka.producer();
      await producer.connect();
      await collector.start(kafka, [replyTopic, deadLetterTopic]);
      consumer = new OrderEventsConsumer({
        kafka,
        groupId,
        stockroom,
        topics,
        replyTopic,
        deadLetterTopic,
        fromBeginning: true,
        consumer: FAST_CONSUMER,
        onOutcome: (outcome) => {
          outcomes.push(outcome);
          for (const waiter of [...waiters]) {
            if (waiter.test()) {
              waiters.splice(waiters.indexOf(waiter), 1);
              waiter.resolve();
            }
          }
        },
      });
      await consumer.start();
    }, HOOK_TIMEOUT_MS);

    afterAll(async () => {
      await consumer?.close();
      await collector.close();
      await producer?.disconnect();
    }, HOOK_TIMEOUT_MS);

    it('reserves a placed order and publishes the reserved reply', async () => {
      const sku = await newSku(10);
      const orderId = `order-${uniqueId()}`;
      const id = await send(topics.placed, orderId, { orderId, items: [{ sku, quantity: 2 }] });
      const [outcome] = await settled(id);
      expect(outcome).toMatchObject({
        kind: 'processed',
        event: 'placed',
        topic: topics.placed,
        reply: { orderId, status: 'reserved', lines: [{ sku, warehouseId: 'paris', quantity: 2 }] },
      });
      expect(await row(sku)).toMatchObject({ available: 8, reserved: 2 });
      const [reply] = await collector.waitFor((record) => record.headers.ce_causationid === id);
      expect(reply).toMatchObject({
        topic: replyTopic,
        key: orderId,
        headers: {
          ce_id: `reply-${id}`,
          ce_type: OrderReplyType.RESERVED,
          ce_subject: orderId,
          'content-type': 'application/json',
        },
      });
      expect(JSON.parse(reply!.value!)).toEqual(
        outcome!.kind === 'processed' ? outcome!.reply : undefined,
      );
    });

    it('reserves once when the same message is delivered twice', async () => {
      const sku = await newSku(10);
      const orderId = `order-${uniqueId()}`;
      const message = { orderId, items: [{ sku, quantity: 3 }] };
      const id = await send(topics.placed, orderId, message);
      await send(topics.placed, orderId, message, id);
      const [first, second] = await settled(id, 2);
      expect(first).toMatchObject({ kind: 'processed', reply: { status: 'reserved' } });
      expect(second).toEqual({ ...first, offset: second!.offset });
      expect(await row(sku)).toMatchObject({ available: 7, reserved: 3 });
      expect(await stockroom.reservations.listByOrder(orderId)).toHaveLength(1);
      const replies = await collector.waitFor((record) => record.headers.ce_causationid === id, 2);
      expect(replies.map((reply) => reply.headers.ce_id)).toEqual([`reply-${id}`, `reply-${id}`]);
      expect(replies[0]!.value).toBe(replies[1]!.value);
    });

    it('commits on payment succeeded and releases on payment failed', async () => {
      const sku = await newSku(10);
      const paid = `order-${uniqueId()}`;
      const failed = `order-${uniqueId()}`;
      const placedPaid = await send(topics.placed, paid, {
        orderId: paid,
        items: [{ sku, quantity: 2 }],
      });
      const placedFailed = await send(topics.placed, failed, {
        orderId: failed,
        items: [{ sku, quantity: 3 }],
      });
      await settled(placedPaid);
      await settled(placedFailed);
      expect(await row(sku)).toMatchObject({ available: 5, reserved: 5 });

      const success = await send(topics.paymentSucceeded, paid, { orderId: paid, paymentId: 'p1' });
      const failure = await send(topics.paymentFailed, failed, {
        orderId: failed,
        reason: 'declined',
      });
      expect(await settled(success)).toMatchObject([{ kind: 'processed', affected: 1 }]);
      expect(await settled(failure)).toMatchObject([{ kind: 'processed', affected: 1 }]);
      const [paidHold] = await stockroom.reservations.listByOrder(paid);
      const [failedHold] = await stockroom.reservations.listByOrder(failed);
      expect(paidHold).toMatchObject({ status: 'COMMITTED' });
      expect(failedHold).toMatchObject({ status: 'RELEASED' });
      expect(await row(sku)).toMatchObject({ available: 8, reserved: 0 });

      // Redelivered payment events change nothing.
      await send(topics.paymentSucceeded, paid, { orderId: paid, paymentId: 'p1' }, success);
      await send(topics.paymentFailed, failed, { orderId: failed, reason: 'declined' }, failure);
      expect(await settled(success, 2)).toMatchObject([{}, { kind: 'processed', affected: 0 }]);
      expect(await settled(failure, 2)).toMatchObject([{}, { kind: 'processed', affected: 0 }]);
      expect(await row(sku)).toMatchObject({ available: 8, reserved: 0 });
    });

    it('refunds a paid order on cancellation', async () => {
      const sku = await newSku(10);
      const orderId = `order-${uniqueId()}`;
      await settled(await send(topics.placed, orderId, { orderId, items: [{ sku, quantity: 4 }] }));
      await settled(await send(topics.paymentSucceeded, orderId, { orderId }));
      expect(await row(sku)).toMatchObject({ available: 6, reserved: 0 });
      const cancel = await send(topics.cancelled, orderId, { orderId, reason: 'customer' });
      expect(await settled(cancel)).toMatchObject([{ kind: 'processed', affected: 1 }]);
      expect(await row(sku)).toMatchObject({ available: 10, reserved: 0 });
    });

    it('answers an order it cannot fill with a rejected reply, not a dead letter', async () => {
      const sku = await newSku(1);
      const orderId = `order-${uniqueId()}`;
      const id = await send(topics.placed, orderId, { orderId, items: [{ sku, quantity: 5 }] });
      const [outcome] = await settled(id);
      const expected = {
        orderId,
        status: 'rejected',
        shortfalls: [{ sku, requested: 5, available: 1 }],
      };
      expect(outcome).toMatchObject({ kind: 'processed', reply: expected });
      const [reply] = await collector.waitFor((record) => record.headers.ce_causationid === id);
      expect(reply!.headers.ce_type).toBe(OrderReplyType.REJECTED);
      expect(JSON.parse(reply!.value!)).toEqual(expected);
      expect(await row(sku)).toMatchObject({ available: 1, reserved: 0 });
    });

    it('dead-letters poison messages with the reason and moves on', async () => {
      const sku = await newSku(10);
      const key = `order-${uniqueId()}`; // one key: one partition, so the order below holds
      const cases: Array<{ value: unknown; id?: null; reason: DeadLetterReason }> = [
        { value: 'not json {', reason: DeadLetterReason.BAD_JSON },
        { value: { orderId: key, items: 'two' }, reason: DeadLetterReason.INVALID_MESSAGE },
        {
          value: { orderId: key, items: [{ sku, quantity: 1 }] },
          id: null,
          reason: DeadLetterReason.MISSING_EVENT_ID,
        },
        {
          value: { orderId: key, items: [{ sku, quantity: 0 }] },
          reason: DeadLetterReason.VALIDATION_FAILED,
        },
        {
          value: { orderId: key, items: [{ sku: `NOPE-${uniqueId()}`, quantity: 1 }] },
          reason: DeadLetterReason.UNKNOWN_SKU,
        },
      ];
      const sent: string[] = [];
      for (const item of cases) {
        sent.push(await send(topics.placed, key, item.value, item.id === null ? null : undefined));
      }
      const good = await send(topics.placed, key, { orderId: key, items: [{ sku, quantity: 1 }] });
      expect(await settled(good)).toMatchObject([
        { kind: 'processed', reply: { status: 'reserved' } },
      ]);
      expect(await row(sku)).toMatchObject({ available: 9, reserved: 1 });

      const letters = await collector.waitFor(
        (record) => record.topic === deadLetterTopic && record.key === key,
        cases.length,
      );
      expect(letters.map((letter) => letter.headers.dlq_reason)).toEqual(
        cases.map((item) => item.reason),
      );
      const offsets = letters.map((letter) => Number(letter.headers.dlq_offset));
      expect(offsets).toEqual([...offsets].sort((left, right) => left - right));
      for (const [index, letter] of letters.entries()) {
        const item = cases[index]!;
        expect(letter.headers).toMatchObject({
          dlq_topic: topics.placed,
          dlq_group: groupId,
          ...(item.id === null ? {} : { ce_id: sent[index] }),
        });
        expect(letter.headers.dlq_detail!.length).toBeGreaterThan(0);
        expect(letter.value).toBe(
          typeof item.value === 'string' ? item.value : JSON.stringify(item.value),
        );
      }
      // An unknown SKU is dead-lettered and still answered, so the order does not wait forever.
      const unknownId = sent[4]!;
      expect(await settled(unknownId)).toMatchObject([
        { kind: 'dead-lettered', reason: 'UNKNOWN_SKU', reply: { status: 'rejected' } },
      ]);
      const [reply] = await collector.waitFor(
        (record) => record.headers.ce_causationid === unknownId,
      );
      expect(reply!.headers.ce_type).toBe(OrderReplyType.REJECTED);
    });

    it('has committed the offset of every message it settled', async () => {
      const admin = kafka.admin();
      await admin.connect();
      try {
        const inputs = Object.values(topics);
        const committed = await admin.fetchOffsets({ groupId, topics: inputs });
        for (const topic of inputs) {
          const ends = await admin.fetchTopicOffsets(topic);
          const group = committed.find((item) => item.topic === topic)!;
          for (const end of ends) {
            const offset = group.partitions.find((item) => item.partition === end.partition)!;
            const expected = Number(end.high) === 0 ? -1 : Number(end.high);
            expect(Number(offset.offset), `${topic}/${end.partition}`).toBe(expected);
          }
        }
      } finally {
        await admin.disconnect();
      }
      expect(consumer.stats).toMatchObject({ deadLettered: 5, failedAttempts: 0 });
    });
  });

  describe('OrderEventsConsumer on a failing store', () => {
    it('does not commit a failed message; the retry processes it once', async () => {
      const prefix = `${run}.retry.`;
      const topics: OrderTopics = {
        placed: `${prefix}orders.placed`,
        paymentSucceeded: `${prefix}payments.succeeded`,
        paymentFailed: `${prefix}payments.failed`,
        cancelled: `${prefix}orders.cancelled`,
      };
      const replyTopic = `${prefix}replies`;
      await createFor([...Object.values(topics), replyTopic]);
      const stockroom = createStockroom({ store: createMemoryStockStore() });
      await seedWarehouses(stockroom);
      const sku = `RETRY-${run}`;
      await stock(stockroom, sku, 'paris', 10);
      let failures = 1;
      const orders: OrderSteps = {
        placed: async (request, context) => {
          if (failures > 0) {
            failures -= 1;
            throw new StoreUnavailableError('store down (simulated)');
          }
          return stockroom.orders.placed(request, context);
        },
        paymentSucceeded: (orderId, context) => stockroom.orders.paymentSucceeded(orderId, context),
        paymentFailed: (orderId, context) => stockroom.orders.paymentFailed(orderId, context),
        cancel: (orderId, items, context) => stockroom.orders.cancel(orderId, items, context),
      };
      const outcomes: OrderEventOutcome[] = [];
      let done: () => void = () => {};
      const processed = new Promise<void>((resolve) => {
        done = resolve;
      });
      const consumer = new OrderEventsConsumer({
        kafka,
        groupId: `stockroom-retry-${run}`,
        stockroom: { orders, store: stockroom.store },
        topics,
        replyTopic,
        fromBeginning: true,
        consumer: FAST_CONSUMER,
        onOutcome: (outcome) => {
          outcomes.push(outcome);
          done();
        },
      });
      const producer = kafka.producer();
      await producer.connect();
      try {
        await consumer.start();
        const orderId = `order-${uniqueId()}`;
        await producer.send({
          topic: topics.placed,
          messages: [
            {
              key: orderId,
              value: JSON.stringify({ orderId, items: [{ sku, quantity: 2 }] }),
              headers: { ce_id: `evt-${uniqueId()}` },
            },
          ],
        });
        await processed;
        expect(failures).toBe(0);
        expect(outcomes).toMatchObject([{ kind: 'processed', reply: { status: 'reserved' } }]);
        expect(consumer.stats).toEqual({ processed: 1, deadLettered: 0, failedAttempts: 1 });
        expect(await stockroom.reservations.listByOrder(orderId)).toHaveLength(1);
        const replies = await readTopics(kafka, [replyTopic]);
        expect(replies.map((reply) => reply.key)).toEqual([orderId]);
      } finally {
        await consumer.close();
        await producer.disconnect();
      }
    });
  });
});
