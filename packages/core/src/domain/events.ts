/** The event types stockroom emits; each is also the default Kafka topic. */
export const EventType = {
  STOCK_UPDATED: 'inventory.stock.updated',
  RESERVED: 'inventory.reserved',
  COMMITTED: 'inventory.committed',
  RELEASED: 'inventory.released',
  RESERVATION_EXPIRED: 'inventory.reservation.expired',
  REFUNDED: 'inventory.refunded',
  LOW_STOCK: 'inventory.low.stock',
  OUT_OF_STOCK: 'inventory.out.of.stock',
  BACK_IN_STOCK: 'inventory.back.in.stock',
  TRANSFER_UPDATED: 'inventory.transfer.updated',
  /** A SKU's selling policy (cart limits) was set or removed. */
  SKU_POLICY_UPDATED: 'inventory.sku.policy.updated',
  /** A sales channel was created, changed or deleted (subject: `channel:<id>`). */
  CHANNEL_UPDATED: 'inventory.channel.updated',
  /** A kit was defined, redefined or deleted (subject: the kit SKU). */
  KIT_UPDATED: 'inventory.kit.updated',
  /** A hold's lines were changed: units released and taken are listed. */
  RESERVATION_CHANGED: 'inventory.reservation.changed',
  /** An incoming receipt (expected stock) was created. */
  RECEIPT_CREATED: 'inventory.receipt.created',
  /** Units of an incoming receipt were received (fully or in part). */
  RECEIPT_RECEIVED: 'inventory.receipt.received',
  /** An incoming receipt was cancelled. */
  RECEIPT_CANCELLED: 'inventory.receipt.cancelled',
  /** Received units turned a reservation's preordered units into held units. */
  PREORDER_ALLOCATED: 'inventory.preorder.allocated',
  /** A restock filled backordered units of a reservation (subject: the SKU). */
  BACKORDER_FILLED: 'inventory.backorder.filled',
} as const;

/** One of the event types. */
export type EventType = (typeof EventType)[keyof typeof EventType];

/** A JSON value, as events carry it. */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

/**
 * A CloudEvents 1.0 envelope. `subject` is the SKU, and publishers key messages by it so one
 * SKU's events stay in order. `id` is stable: a redelivery carries the same id.
 */
export interface CloudEvent {
  readonly specversion: '1.0';
  readonly id: string;
  readonly source: string;
  readonly type: EventType;
  /** The SKU the event is about (the ordering key). */
  readonly subject: string;
  readonly time: string;
  readonly datacontenttype: 'application/json';
  readonly data: { readonly [key: string]: JsonValue };
}
