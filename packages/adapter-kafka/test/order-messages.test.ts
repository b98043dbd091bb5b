import { describe, expect, it } from 'vitest';
import { DeadLetterReason, decodeOrderMessage, type RawMessage } from '../src/index.js';

const binary = (
  value: unknown,
  headers: RawMessage['headers'] = { ce_id: 'evt-1' },
): RawMessage => ({
  value: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
  headers,
});

describe('decodeOrderMessage', () => {
  it('reads a binary-mode placed order and keeps only the documented fields', () => {
    const result = decodeOrderMessage(
      'placed',
      binary(
        {
          orderId: 'o-1',
          items: [{ sku: 'S', quantity: 2, warehouseId: 'paris', colour: 'red' }],
          userId: 'u-1',
          ttlSeconds: 60,
          strategy: 'nearest',
          location: { latitude: 48.8, longitude: 2.3, accuracy: 5 },
          preferCountry: 'FR',
          total: 99,
        },
        { ce_id: Buffer.from('evt-1') },
      ),
    );
    expect(result).toEqual({
      ok: true,
      event: {
        kind: 'placed',
        id: 'evt-1',
        data: {
          orderId: 'o-1',
          items: [{ sku: 'S', quantity: 2, warehouseId: 'paris' }],
          userId: 'u-1',
          ttlSeconds: 60,
          strategy: 'nearest',
          location: { latitude: 48.8, longitude: 2.3 },
          preferCountry: 'FR',
        },
      },
    });
  });

  it('reads a structured-mode CloudEvent (id and data in the value)', () => {
    const event = {
      specversion: '1.0',
      id: 'evt-9',
      type: 'x',
      source: 'shop',
      data: { orderId: 'o-9' },
    };
    expect(decodeOrderMessage('paymentSucceeded', binary(event, {}))).toEqual({
      ok: true,
      event: { kind: 'paymentSucceeded', id: 'evt-9', data: { orderId: 'o-9' } },
    });
    expect(
      decodeOrderMessage(
        'paymentFailed',
        binary(
          { id: 'evt-8', data: { orderId: 'o-8', reason: 'declined' } },
          {
            'content-type': 'application/cloudevents+json',
          },
        ),
      ),
    ).toEqual({
      ok: true,
      event: { kind: 'paymentFailed', id: 'evt-8', data: { orderId: 'o-8', reason: 'declined' } },
    });
  });

  it('reads a cancellation with and without items', () => {
    expect(decodeOrderMessage('cancelled', binary({ orderId: 'o-1' }))).toMatchObject({
      ok: true,
      event: { data: { orderId: 'o-1' } },
    });
    expect(
      decodeOrderMessage(
        'cancelled',
        binary({ orderId: 'o-1', items: [{ sku: 'S', warehouseId: 'paris', quantity: 1 }] }),
      ),
    ).toMatchObject({
      ok: true,
      event: { data: { items: [{ sku: 'S', warehouseId: 'paris', quantity: 1 }] } },
    });
  });

  it.each([
    ['an empty value', { value: null, headers: { ce_id: 'e' } }, DeadLetterReason.BAD_JSON],
    ['text that is not JSON', binary('{oops'), DeadLetterReason.BAD_JSON],
    ['a JSON array', binary([1, 2]), DeadLetterReason.INVALID_MESSAGE],
    ['no event id', binary({ orderId: 'o' }, {}), DeadLetterReason.MISSING_EVENT_ID],
    [
      'a structured event without id',
      binary({ specversion: '1.0', data: {} }, {}),
      DeadLetterReason.MISSING_EVENT_ID,
    ],
    [
      'an over-long id',
      binary({ orderId: 'o' }, { ce_id: 'x'.repeat(129) }),
      DeadLetterReason.MISSING_EVENT_ID,
    ],
    ['a missing orderId', binary({ items: [] }), DeadLetterReason.INVALID_MESSAGE],
    [
      'items that are not an array',
      binary({ orderId: 'o', items: {} }),
      DeadLetterReason.INVALID_MESSAGE,
    ],
    [
      'a string quantity',
      binary({ orderId: 'o', items: [{ sku: 'S', quantity: '2' }] }),
      DeadLetterReason.INVALID_MESSAGE,
    ],
    [
      'structured data that is not an object',
      binary({ specversion: '1.0', id: 'e', data: 'x' }, {}),
      DeadLetterReason.INVALID_MESSAGE,
    ],
  ] satisfies Array<[string, RawMessage, DeadLetterReason]>)(
    'refuses %s',
    (_name, message, reason) => {
      const result = decodeOrderMessage('placed', message);
      expect(result).toMatchObject({ ok: false, reason });
      expect(result.ok ? '' : result.detail).not.toBe('');
    },
  );

  it('names the path of a field of the wrong type', () => {
    expect(
      decodeOrderMessage(
        'placed',
        binary({ orderId: 'o', items: [{ sku: 'S', quantity: 1 }, { sku: 3 }] }),
      ),
    ).toEqual({ ok: false, reason: 'INVALID_MESSAGE', detail: 'items.1.sku must be a string' });
  });
});
