// What the order-events consumer is given and what it answers: its options, the saga steps it
// drives, its replies and per-message outcomes.
import type { Clock, Logger, OrderPlacedResult, OrderSaga, Shortfall } from '@stockroom/core';
import type { StoreReads } from '@stockroom/core/adapter-kit';
import type { ConsumerConfig, Kafka, RetryOptions } from 'kafkajs';
import type { DeadLetterReason, OrderEventKind } from './order-messages.js';
import type { OrderTopics } from './topics.js';

/** The saga steps the consumer drives (`stockroom.orders`). */
export type OrderSteps = Pick<
  OrderSaga,
  'placed' | 'paymentSucceeded' | 'paymentFailed' | 'cancel'
>;

/** The CloudEvents types of the replies to placed orders. */
export const OrderReplyType = {
  RESERVED: 'inventory.order.reserved',
  REJECTED: 'inventory.order.rejected',
} as const;

/** The answer to a placed order, published on the reply topic (key = orderId). */
export type OrderReply =
  | {
      readonly orderId: string;
      readonly status: 'reserved';
      readonly reservationId: string;
      readonly expiresAt: string;
      readonly lines: readonly {
        readonly sku: string;
        readonly warehouseId: string;
        readonly quantity: number;
      }[];
    }
  | {
      readonly orderId: string;
      readonly status: 'rejected';
      readonly shortfalls: readonly Shortfall[];
    };

/** What the consumer did with one message. */
export type OrderEventOutcome =
  | {
      readonly kind: 'processed';
      readonly topic: string;
      readonly partition: number;
      readonly offset: string;
      readonly event: OrderEventKind;
      readonly eventId: string;
      /** The reply published for a placed order. */
      readonly reply?: OrderReply;
      /** Reservations committed, released or refunded by a payment or cancel step. */
      readonly affected?: number;
    }
  | {
      readonly kind: 'dead-lettered';
      readonly topic: string;
      readonly partition: number;
      readonly offset: string;
      readonly eventId: string | null;
      readonly reason: DeadLetterReason;
      readonly detail: string;
      /** Also published: an order naming an unknown SKU is still answered `rejected`. */
      readonly reply?: OrderReply;
    };

/** Options of {@link OrderEventsConsumer}. */
export interface OrderEventsConsumerOptions {
  /** The kafkajs client to open the consumer and the reply producer with. */
  readonly kafka: Kafka;
  /** The consumer group: instances sharing it split the partitions between them. */
  readonly groupId: string;
  /** The saga steps and the store reads: a `Stockroom` fits. */
  readonly stockroom: {
    readonly orders: OrderSteps;
    readonly store: { readonly reads: Pick<StoreReads, 'stockBySkus'> };
  };
  /** The input topics. @default DEFAULT_ORDER_TOPICS */
  readonly topics?: Partial<OrderTopics>;
  /** @default DEFAULT_REPLY_TOPIC ('inventory.order.replies') */
  readonly replyTopic?: string;
  /** @default DEFAULT_DEAD_LETTER_TOPIC ('inventory.orders.dead-letter') */
  readonly deadLetterTopic?: string;
  /** The CloudEvents `source` of replies. @default 'stockroom' */
  readonly source?: string;
  /** The idempotency scope of the event ids. @default 'order-events' */
  readonly idempotencyScope?: string;
  /** A new group starts at the oldest message instead of the newest. @default false */
  readonly fromBeginning?: boolean;
  /** kafkajs consumer settings (timeouts, retry). `groupId` comes from above. */
  readonly consumer?: Omit<ConsumerConfig, 'groupId'>;
  /** The reply/dead-letter producer's retries. @default { retries: 5 } */
  readonly producerRetry?: RetryOptions;
  /** Partitions processed at once (order is kept within each). @default 1 */
  readonly partitionsConsumedConcurrently?: number;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Called after each message is settled and its offset committed (metrics, tests). */
  readonly onOutcome?: (outcome: OrderEventOutcome) => void;
}

/** The reply to an `orders.placed` message, from the saga's result. */
export function toReply(orderId: string, result: OrderPlacedResult): OrderReply {
  if (result.status === 'rejected') {
    return { orderId, status: 'rejected', shortfalls: result.shortfalls };
  }
  const { reservation } = result;
  return {
    orderId,
    status: 'reserved',
    reservationId: reservation.id,
    expiresAt: reservation.expiresAt.toISOString(),
    lines: reservation.lines.map((line) => ({
      sku: line.sku,
      warehouseId: line.warehouseId,
      quantity: line.quantity,
    })),
  };
}
