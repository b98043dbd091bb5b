import { EventType, InvalidStateError, StoreUnavailableError } from '@stockroom/core';
import { Kafka, logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ORDER_TOPICS,
  INVENTORY_EVENT_TYPES,
  inventoryTopics,
  KafkaEventPublisher,
  OrderEventsConsumer,
  topicNamer,
  translateKafkaError,
} from '../src/index.js';

describe('topic naming', () => {
  it('has one topic per event type, named after it by default', () => {
    expect(inventoryTopics()).toEqual([
      'inventory.stock.updated',
      'inventory.reserved',
      'inventory.committed',
      'inventory.released',
      'inventory.reservation.expired',
      'inventory.refunded',
      'inventory.low.stock',
      'inventory.out.of.stock',
      'inventory.back.in.stock',
      'inventory.transfer.updated',
      'inventory.sku.policy.updated',
      'inventory.channel.updated',
      'inventory.kit.updated',
      'inventory.reservation.changed',
      'inventory.receipt.created',
      'inventory.receipt.received',
      'inventory.receipt.cancelled',
      'inventory.preorder.allocated',
      'inventory.backorder.filled',
    ]);
    expect(INVENTORY_EVENT_TYPES).toHaveLength(19);
  });

  it('takes a prefix or a mapping function', () => {
    expect(topicNamer({ prefix: 'prod.' })(EventType.RESERVED)).toBe('prod.inventory.reserved');
    const naming = { prefix: 'ignored.', topicFor: (type: EventType) => type.replaceAll('.', '-') };
    expect(topicNamer(naming)(EventType.LOW_STOCK)).toBe('inventory-low-stock');
    // A function may merge types into fewer topics; the list has each topic once.
    expect(inventoryTopics({ topicFor: () => 'all-inventory' })).toEqual(['all-inventory']);
  });

  it('consumes the default order topics', () => {
    expect(DEFAULT_ORDER_TOPICS).toEqual({
      placed: 'orders.placed',
      paymentSucceeded: 'payments.succeeded',
      paymentFailed: 'payments.failed',
      cancelled: 'orders.cancelled',
    });
  });
});

describe('without a cluster', () => {
  const kafka = new Kafka({ brokers: ['127.0.0.1:1'], logLevel: logLevel.NOTHING });

  it('refuses to publish after close', async () => {
    const publisher = new KafkaEventPublisher({ kafka });
    await publisher.close();
    await publisher.close();
    await expect(publisher.publish([])).resolves.toBeUndefined();
    await expect(
      publisher.publish([
        {
          specversion: '1.0',
          id: 'e',
          source: 's',
          type: EventType.RESERVED,
          subject: 'S',
          time: new Date(0).toISOString(),
          datacontenttype: 'application/json',
          data: {},
        },
      ]),
    ).rejects.toBeInstanceOf(InvalidStateError);
    await expect(publisher.connect()).rejects.toMatchObject({ code: 'INVALID_STATE' });
  });

  it('requires four distinct order topics', () => {
    const stockroom = { orders: {} as never, store: { reads: {} as never } };
    expect(
      () =>
        new OrderEventsConsumer({
          kafka,
          groupId: 'g',
          stockroom,
          topics: { paymentFailed: 'payments.succeeded' },
        }),
    ).toThrow(TypeError);
  });
});

describe('translateKafkaError', () => {
  it('turns connection and retry failures into STORE_UNAVAILABLE', () => {
    for (const name of ['KafkaJSConnectionError', 'KafkaJSNumberOfRetriesExceeded']) {
      const error = Object.assign(new Error('down'), { name, retriable: false });
      const translated = translateKafkaError(error, 'publishing');
      expect(translated).toBeInstanceOf(StoreUnavailableError);
      expect(translated).toMatchObject({
        code: 'STORE_UNAVAILABLE',
        retryable: true,
        cause: error,
      });
    }
    const retriable = Object.assign(new Error('leader moved'), {
      name: 'KafkaJSProtocolError',
      retriable: true,
    });
    expect(translateKafkaError(retriable, 'publishing')).toBeInstanceOf(StoreUnavailableError);
  });

  it('leaves other errors as they are', () => {
    const tooLarge = Object.assign(new Error('too large'), {
      name: 'KafkaJSProtocolError',
      retriable: false,
      type: 'MESSAGE_TOO_LARGE',
    });
    expect(translateKafkaError(tooLarge, 'publishing')).toBe(tooLarge);
    const typed = new InvalidStateError('closed');
    expect(translateKafkaError(typed, 'publishing')).toBe(typed);
  });
});
