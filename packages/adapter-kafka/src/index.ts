// The public surface of @stockroom/adapter-kafka. Named exports only.
export { cloudEventHeaders } from './cloud-event-headers.js';
export {
  type CreateKafkaPublisherOptions,
  createKafkaPublisher,
} from './create-kafka-publisher.js';
export { createKafkaClient, type KafkaClientOptions } from './kafka-client.js';
export { KafkaEventPublisher, type KafkaEventPublisherOptions } from './kafka-event-publisher.js';
export { kafkaLogCreator } from './kafka-logger.js';
export { OrderEventsConsumer } from './order-events-consumer.js';
export {
  type OrderEventOutcome,
  type OrderEventsConsumerOptions,
  type OrderReply,
  OrderReplyType,
  type OrderSteps,
} from './order-events-types.js';
export {
  DeadLetterReason,
  type DecodeResult,
  decodeOrderMessage,
  type OrderCancelledMessage,
  type OrderEvent,
  type OrderEventKind,
  type OrderMessageOf,
  type OrderPlacedMessage,
  type PaymentMessage,
  type RawMessage,
} from './order-messages.js';
export {
  type CreateTopicsOptions,
  type CreateTopicsResult,
  createTopics,
  DEFAULT_DEAD_LETTER_TOPIC,
  DEFAULT_ORDER_TOPICS,
  DEFAULT_REPLY_TOPIC,
  INVENTORY_EVENT_TYPES,
  inventoryTopics,
  type OrderTopics,
  type TopicNaming,
  topicNamer,
} from './topics.js';
export { translateKafkaError } from './translate-kafka-error.js';
