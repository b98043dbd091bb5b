import {
  type AllocationStrategy,
  type GeoPoint,
  isValidId,
  type RefundItem,
  type ReserveItem,
} from '@stockroom/core';

/**
 * Why a message went to the dead-letter topic (its `dlq_reason` header). Each names a message
 * that can never succeed, however often it is retried.
 */
export const DeadLetterReason = {
  /** The value is empty or not JSON. */
  BAD_JSON: 'BAD_JSON',
  /** No usable event id: no `ce_id` header and no `id` in a structured CloudEvent. */
  MISSING_EVENT_ID: 'MISSING_EVENT_ID',
  /** The JSON does not have the shape of the topic's message. */
  INVALID_MESSAGE: 'INVALID_MESSAGE',
  /** A placed order names a SKU that has no stock row in any warehouse. */
  UNKNOWN_SKU: 'UNKNOWN_SKU',
  /** The core refused the values (a bad quantity, id or strategy): `ValidationError`. */
  VALIDATION_FAILED: 'VALIDATION_FAILED',
  /** The event id was used before for a different request. */
  IDEMPOTENCY_KEY_REUSED: 'IDEMPOTENCY_KEY_REUSED',
  /** The order's state forbids the step (commit an expired hold, refund more than was sold). */
  INVALID_STATE: 'INVALID_STATE',
  /** Something the message names does not exist. */
  NOT_FOUND: 'NOT_FOUND',
} as const;

/** One of the dead-letter reasons. */
export type DeadLetterReason = (typeof DeadLetterReason)[keyof typeof DeadLetterReason];

/** `orders.placed`: reserve the order's items. */
export interface OrderPlacedMessage {
  readonly orderId: string;
  readonly items: readonly ReserveItem[];
  readonly userId?: string;
  readonly ttlSeconds?: number;
  readonly strategy?: AllocationStrategy;
  readonly location?: GeoPoint;
  readonly preferCountry?: string;
  readonly preferRegion?: string;
}

/** `payments.succeeded` and `payments.failed`: commit or release the order's reservations. */
export interface PaymentMessage {
  readonly orderId: string;
  /** Why the payment failed (recorded as the movements' reason). */
  readonly reason?: string;
}

/** `orders.cancelled`: release what is held, refund what was sold (all, or the given items). */
export interface OrderCancelledMessage {
  readonly orderId: string;
  readonly items?: readonly RefundItem[];
  readonly reason?: string;
}

/** The four kinds of order events, by the role of the topic they came on. */
export type OrderEventKind = 'placed' | 'paymentSucceeded' | 'paymentFailed' | 'cancelled';

/** The payload type of each kind. */
export interface OrderMessageOf {
  readonly placed: OrderPlacedMessage;
  readonly paymentSucceeded: PaymentMessage;
  readonly paymentFailed: PaymentMessage;
  readonly cancelled: OrderCancelledMessage;
}

/** A decoded order event: its id (the idempotency key) and its payload. */
export type OrderEvent = {
  [K in OrderEventKind]: {
    readonly kind: K;
    readonly id: string;
    readonly data: OrderMessageOf[K];
  };
}[OrderEventKind];

/** The outcome of decoding: the event, or why it can never be processed. */
export type DecodeResult =
  | { readonly ok: true; readonly event: OrderEvent }
  | { readonly ok: false; readonly reason: DeadLetterReason; readonly detail: string };

/** The parts of a Kafka message the decoder reads (kafkajs's `KafkaMessage` fits). */
export interface RawMessage {
  readonly value: Buffer | null;
  readonly headers?: Readonly<Record<string, Buffer | string | (Buffer | string)[] | undefined>>;
}

/** A header's value as text (the first one when repeated). */
export function headerText(message: RawMessage, name: string): string | undefined {
  const value = message.headers?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}

class SchemaError extends Error {}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Reads typed fields from a JSON object, throwing `SchemaError` with the path on a mismatch. */
class Fields {
  constructor(
    private readonly source: Json,
    private readonly path: string,
  ) {}

  private at(name: string): string {
    return this.path ? `${this.path}.${name}` : name;
  }

  string(name: string): string {
    const value = this.source[name];
    if (typeof value !== 'string') throw new SchemaError(`${this.at(name)} must be a string`);
    return value;
  }

  number(name: string): number {
    const value = this.source[name];
    if (typeof value !== 'number') throw new SchemaError(`${this.at(name)} must be a number`);
    return value;
  }

  /** The field's value via `read`, or `{}` when absent (so it spreads into the result). */
  optional<T>(name: string, read: (name: string) => T): { [key: string]: T } {
    const value = this.source[name];
    return value === undefined || value === null ? {} : { [name]: read(name) };
  }

  object(name: string): Fields {
    const value = this.source[name];
    if (!isObject(value)) throw new SchemaError(`${this.at(name)} must be an object`);
    return new Fields(value, this.at(name));
  }

  array(name: string): Fields[] {
    const value = this.source[name];
    if (!Array.isArray(value)) throw new SchemaError(`${this.at(name)} must be an array`);
    return value.map((item, index) => {
      if (!isObject(item)) throw new SchemaError(`${this.at(name)}.${index} must be an object`);
      return new Fields(item, `${this.at(name)}.${index}`);
    });
  }
}

// Only known fields are passed on: the saga (and the idempotency fingerprint) sees exactly the
// documented request, whatever else the producer put in the message.
const decoders: { [K in OrderEventKind]: (data: Fields) => OrderMessageOf[K] } = {
  placed: (data) => ({
    orderId: data.string('orderId'),
    items: data.array('items').map((item) => ({
      sku: item.string('sku'),
      quantity: item.number('quantity'),
      ...item.optional('warehouseId', (name) => item.string(name)),
    })),
    ...data.optional('userId', (name) => data.string(name)),
    ...data.optional('ttlSeconds', (name) => data.number(name)),
    ...(data.optional('strategy', (name) => data.string(name)) as {
      strategy?: AllocationStrategy;
    }),
    ...data.optional('location', (name) => {
      const location = data.object(name);
      return { latitude: location.number('latitude'), longitude: location.number('longitude') };
    }),
    ...data.optional('preferCountry', (name) => data.string(name)),
    ...data.optional('preferRegion', (name) => data.string(name)),
  }),
  paymentSucceeded: (data) => ({ orderId: data.string('orderId') }),
  paymentFailed: (data) => ({
    orderId: data.string('orderId'),
    ...data.optional('reason', (name) => data.string(name)),
  }),
  cancelled: (data) => ({
    orderId: data.string('orderId'),
    ...data.optional('items', (name) =>
      data.array(name).map((item) => ({
        sku: item.string('sku'),
        warehouseId: item.string('warehouseId'),
        quantity: item.number('quantity'),
      })),
    ),
    ...data.optional('reason', (name) => data.string(name)),
  }),
};

/**
 * Decodes one order message. Two CloudEvents modes are accepted:
 * - binary: the event id in the `ce_id` header, the value is the payload;
 * - structured: the value is the whole CloudEvent (`specversion`, `id`, `data`, …), marked by a
 *   `content-type: application/cloudevents+json` header or by a `specversion` field.
 *
 * Field types are checked here (a wrong type is `INVALID_MESSAGE`); value ranges and id formats
 * are the core's (its `ValidationError` is `VALIDATION_FAILED`).
 */
export function decodeOrderMessage(kind: OrderEventKind, message: RawMessage): DecodeResult {
  const fail = (reason: DeadLetterReason, detail: string): DecodeResult => ({
    ok: false,
    reason,
    detail,
  });
  if (!message.value || message.value.length === 0) {
    return fail(DeadLetterReason.BAD_JSON, 'empty message value');
  }
  let body: unknown;
  try {
    body = JSON.parse(message.value.toString('utf8'));
  } catch (error) {
    return fail(DeadLetterReason.BAD_JSON, error instanceof Error ? error.message : 'not JSON');
  }
  if (!isObject(body)) return fail(DeadLetterReason.INVALID_MESSAGE, 'the value must be an object');

  let id: unknown = headerText(message, 'ce_id');
  let data: unknown = body;
  const structured =
    id === undefined &&
    ((headerText(message, 'content-type') ?? '').startsWith('application/cloudevents') ||
      typeof body.specversion === 'string');
  if (structured) {
    id = body.id;
    data = body.data;
  }
  if (id === undefined) {
    return fail(DeadLetterReason.MISSING_EVENT_ID, 'no ce_id header and no structured CloudEvent');
  }
  if (!isValidId(id)) {
    return fail(
      DeadLetterReason.MISSING_EVENT_ID,
      'the event id must be 1–128 printable characters',
    );
  }
  if (!isObject(data)) {
    return fail(DeadLetterReason.INVALID_MESSAGE, 'the event data must be an object');
  }
  try {
    const payload = decoders[kind](new Fields(data, ''));
    return { ok: true, event: { kind, id, data: payload } as OrderEvent };
  } catch (error) {
    if (error instanceof SchemaError) return fail(DeadLetterReason.INVALID_MESSAGE, error.message);
    throw error;
  }
}
