import type { Kafka } from 'kafkajs';
import { createKafkaClient, type KafkaClientOptions } from './kafka-client.js';
import { KafkaEventPublisher, type KafkaEventPublisherOptions } from './kafka-event-publisher.js';

/** Options of {@link createKafkaPublisher}: a kafkajs client, or what to make one with. */
export type CreateKafkaPublisherOptions = Omit<KafkaEventPublisherOptions, 'kafka'> & {
  /** Connect before returning, so a wrong broker list fails at start-up. @default true */
  readonly connect?: boolean;
} & (
    | { readonly kafka: Kafka; readonly client?: never }
    | { readonly kafka?: never; readonly client: KafkaClientOptions }
  );

/**
 * Makes (and by default connects) a {@link KafkaEventPublisher}. The publisher owns its
 * producer: `close()` disconnects it.
 *
 * @example
 * ```ts
 * const publisher = await createKafkaPublisher({
 *   client: { brokers: ['kafka-1:9092', 'kafka-2:9092'], logger },
 *   topics: { prefix: 'prod.' },
 *   logger,
 * });
 * const stockroom = createStockroom({ store, publisher, logger });
 * ```
 * @throws STORE_UNAVAILABLE when `connect` is on and the cluster cannot be reached
 */
export async function createKafkaPublisher(
  options: CreateKafkaPublisherOptions,
): Promise<KafkaEventPublisher> {
  const { connect = true, kafka, client, ...rest } = options;
  const publisher = new KafkaEventPublisher({
    ...rest,
    kafka: kafka ?? createKafkaClient({ logger: rest.logger, ...client }),
  });
  if (connect) await publisher.connect();
  return publisher;
}
