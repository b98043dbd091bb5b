import { EventType } from '@stockroom/core';
import type { Admin, Kafka } from 'kafkajs';

/** Every event type stockroom emits; with no prefix, each is also its topic name. */
export const INVENTORY_EVENT_TYPES: readonly EventType[] = Object.freeze(Object.values(EventType));

/** The topics the order consumer reads, by role. */
export interface OrderTopics {
  /** An order was placed: reserve its items. */
  readonly placed: string;
  /** Payment succeeded: commit the order's reservations. */
  readonly paymentSucceeded: string;
  /** Payment failed or timed out: release the order's reservations. */
  readonly paymentFailed: string;
  /** The order was cancelled: release what is held and refund what was sold. */
  readonly cancelled: string;
}

/** The default order topics. */
export const DEFAULT_ORDER_TOPICS: OrderTopics = Object.freeze({
  placed: 'orders.placed',
  paymentSucceeded: 'payments.succeeded',
  paymentFailed: 'payments.failed',
  cancelled: 'orders.cancelled',
});

/** Where the consumer publishes its answer to each placed order (`reserved` or `rejected`). */
export const DEFAULT_REPLY_TOPIC = 'inventory.order.replies';

/** Where the consumer sends messages that can never succeed. */
export const DEFAULT_DEAD_LETTER_TOPIC = 'inventory.orders.dead-letter';

/**
 * How event types map to topic names: a prefix (`'prod.'` → `prod.inventory.reserved`), or a
 * function of the type. The mapping depends on the type only, so the topic list is known in
 * advance (see {@link inventoryTopics}) and one SKU's events of one type share a topic.
 */
export interface TopicNaming {
  /** Put before each event type. @default '' */
  readonly prefix?: string;
  /** Names the topic of an event type; wins over `prefix`. */
  readonly topicFor?: (type: EventType) => string;
}

/** The function that names an event type's topic under `naming`. */
export function topicNamer(naming: TopicNaming = {}): (type: EventType) => string {
  if (naming.topicFor) return naming.topicFor;
  const prefix = naming.prefix ?? '';
  return (type) => `${prefix}${type}`;
}

/** Every inventory topic under `naming`, one per event type. */
export function inventoryTopics(naming: TopicNaming = {}): string[] {
  const name = topicNamer(naming);
  return [...new Set(INVENTORY_EVENT_TYPES.map((type) => name(type)))];
}

/** Options of {@link createTopics}. */
export interface CreateTopicsOptions {
  /** A connected admin client (left connected), or … */
  readonly admin?: Admin;
  /** … a client to open (and close) an admin with. One of the two is required. */
  readonly kafka?: Kafka;
  /** The topic names, e.g. `inventoryTopics({ prefix })`. */
  readonly topics: readonly string[];
  /** Partitions per topic. Per-SKU order holds within a partition, so more partitions only
   * spread SKUs; changing the count later moves SKUs between partitions. */
  readonly partitions: number;
  /** Copies of each partition; use at least 3 with `min.insync.replicas=2` in production. */
  readonly replicationFactor: number;
  /** Topic configuration, e.g. `{ 'min.insync.replicas': '2', 'retention.ms': '604800000' }`. */
  readonly config?: Readonly<Record<string, string>>;
  /** How long the brokers may take, in ms. @default 30000 */
  readonly timeoutMs?: number;
}

/** What {@link createTopics} did. */
export interface CreateTopicsResult {
  /** Topics created now. */
  readonly created: string[];
  /** Topics that were there already (left as they are, whatever their partition count). */
  readonly existing: string[];
}

/**
 * Creates the topics that do not exist yet, with a partition count and a replication factor,
 * and waits for their partition leaders.
 *
 * @example
 * ```ts
 * await createTopics({ kafka, topics: inventoryTopics(), partitions: 12, replicationFactor: 3,
 *   config: { 'min.insync.replicas': '2' } });
 * ```
 * @throws kafkajs's `KafkaJSAggregateError` (one `KafkaJSCreateTopicError` per refused topic,
 *   e.g. `INVALID_REPLICATION_FACTOR` when there are fewer brokers than copies)
 */
export async function createTopics(options: CreateTopicsOptions): Promise<CreateTopicsResult> {
  const admin = options.admin ?? options.kafka?.admin();
  if (!admin) throw new TypeError('createTopics needs `admin` or `kafka`');
  const owned = !options.admin;
  if (owned) await admin.connect();
  try {
    const present = new Set(await admin.listTopics());
    const wanted = [...new Set(options.topics)];
    const missing = wanted.filter((topic) => !present.has(topic));
    const configEntries = Object.entries(options.config ?? {}).map(([name, value]) => ({
      name,
      value,
    }));
    if (missing.length > 0) {
      await admin.createTopics({
        topics: missing.map((topic) => ({
          topic,
          numPartitions: options.partitions,
          replicationFactor: options.replicationFactor,
          configEntries,
        })),
        waitForLeaders: true,
        timeout: options.timeoutMs ?? 30_000,
      });
    }
    return { created: missing, existing: wanted.filter((topic) => present.has(topic)) };
  } finally {
    if (owned) await admin.disconnect();
  }
}
