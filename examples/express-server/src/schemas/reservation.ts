import {
  ALLOCATION_STRATEGIES,
  type AllocationStrategy,
  type CancelResult,
  isValidId,
  MAX_QUANTITY,
  type Reservation,
  ReservationStatus,
} from '@stockroom/core';
import {
  Id,
  integerIn,
  numberIn,
  OptionalTimestamp,
  PagingQuery,
  pageOf,
  Quantity,
  Timestamp,
} from './common.js';
import { MovementSchema, presentMovement } from './stock.js';
import { z } from './zod.js';

const Status = z.enum(
  Object.values(ReservationStatus) as [ReservationStatus, ...ReservationStatus[]],
);

/** A reservation as the API shows it. */
export const ReservationSchema = z
  .strictObject({
    reservationId: z.string(),
    status: Status,
    orderId: z.string().nullable(),
    userId: z.string().nullable(),
    createdAt: Timestamp,
    expiresAt: Timestamp,
    committedAt: OptionalTimestamp,
    releasedAt: OptionalTimestamp.openapi({ description: 'When it was released or expired' }),
    allocations: z.array(
      z.strictObject({
        sku: Id,
        warehouseId: Id,
        quantity: Quantity,
        kitSku: Id.optional().openapi({
          description: 'The kit these units are components of (absent for plain units)',
        }),
        committed: Quantity.optional().openapi({
          description: 'Units already sold by a partial commit (absent when none)',
        }),
        released: Quantity.optional().openapi({
          description: 'Units already given back by a partial release (absent when none)',
        }),
        preordered: z.number().int().min(0).optional().openapi({
          description:
            'Units of `quantity` promised from an incoming receipt, not held yet (only on preorder lines)',
        }),
        receiptId: z.string().optional().openapi({ description: 'The receipt they come from' }),
        expectedAt: Timestamp.nullable()
          .optional()
          .openapi({ description: 'When that receipt is expected' }),
        backordered: z.number().int().min(0).optional().openapi({
          description:
            'Units of `quantity` not held yet: backordered, waiting for a restock of the row (absent for an ordinary hold)',
        }),
      }),
    ),
  })
  .openapi('Reservation');

/** A reservation response body. */
export type ReservationBody = z.infer<typeof ReservationSchema>;

/** The items a hold holds: what to reserve, or what a changed hold should hold. */
export const HoldItems = z
  .array(
    z.strictObject({
      sku: Id,
      quantity: Quantity,
      warehouseId: Id.optional().openapi({ description: 'Pins the item to one warehouse' }),
    }),
  )
  .min(1)
  .max(100);

/** How a hold's units are allocated among the warehouses. */
export const Strategy = z
  .enum(ALLOCATION_STRATEGIES as [AllocationStrategy, ...AllocationStrategy[]])
  .optional();

/** The customer's location, for the nearest strategy. */
export const Location = z
  .strictObject({
    latitude: numberIn(-90, 90),
    longitude: numberIn(-180, 180),
  })
  .optional()
  .openapi({ description: "The customer's location, for the nearest strategy" });

/**
 * POST /reservations, for a server whose reservations live at most `maxLifetimeSeconds`: the
 * body's `ttlSeconds` limit, its message and its OpenAPI maximum are that one number.
 */
export function reserveBody(maxLifetimeSeconds: number) {
  return z
    .strictObject({
      items: HoldItems,
      orderId: Id.optional(),
      userId: Id.optional(),
      ttlSeconds: integerIn(1, maxLifetimeSeconds)
        .optional()
        .openapi({
          description: `How long the hold lasts, 1–${maxLifetimeSeconds} s (the server's default when absent)`,
        }),
      strategy: Strategy,
      location: Location,
      channelId: Id.optional().openapi({
        description:
          "Allocate from this sales channel's warehouses only (a bound key: its own, or 403)",
      }),
    })
    .openapi('Reserve');
}

/** A POST /reservations body as its schema gives it. */
export type ReserveBody = z.output<ReturnType<typeof reserveBody>>;
type HoldItem = ReserveBody['items'][number];

/** A JSON object (what JSON.parse gives for `{…}`), not an array or null. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isQuantity(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 1 && (value as number) <= MAX_QUANTITY;
}

/** One item in its plain form (`sku`, `quantity`, an optional `warehouseId`), else undefined. */
function plainHoldItem(value: unknown): HoldItem | undefined {
  if (!isPlainObject(value)) return undefined;
  let fields = 0;
  for (const name in value) {
    if (name !== 'sku' && name !== 'quantity' && name !== 'warehouseId') return undefined;
    fields += 1;
  }
  const { sku, quantity, warehouseId } = value;
  if (!isValidId(sku) || !isQuantity(quantity)) return undefined;
  if (fields === 2) return { sku, quantity };
  return isValidId(warehouseId) ? { sku, quantity, warehouseId } : undefined;
}

/**
 * The hand check of {@link reserveBody} for its common form — `items` (1–100 plain items) with
 * optional `orderId`, `userId` and `ttlSeconds` — giving what the schema gives (new objects, its
 * field order); undefined for every other body, which the schema then reads (and words its
 * errors for). Tested against the schema in `reserve-body.test.ts`.
 */
export function plainReserveBody(maxLifetimeSeconds: number) {
  return (value: unknown): ReserveBody | undefined => {
    if (!isPlainObject(value)) return undefined;
    for (const name in value) {
      if (name !== 'items' && name !== 'orderId' && name !== 'userId' && name !== 'ttlSeconds')
        return undefined;
    }
    const { items, orderId, userId, ttlSeconds } = value;
    if (!Array.isArray(items) || items.length < 1 || items.length > 100) return undefined;
    const plain: HoldItem[] = new Array(items.length);
    for (let index = 0; index < items.length; index += 1) {
      const item = plainHoldItem(items[index]);
      if (item === undefined) return undefined;
      plain[index] = item;
    }
    const body: { -readonly [K in keyof ReserveBody]: ReserveBody[K] } = { items: plain };
    if ('orderId' in value) {
      if (!isValidId(orderId)) return undefined;
      body.orderId = orderId;
    }
    if ('userId' in value) {
      if (!isValidId(userId)) return undefined;
      body.userId = userId;
    }
    if ('ttlSeconds' in value) {
      if (
        !Number.isInteger(ttlSeconds) ||
        (ttlSeconds as number) < 1 ||
        (ttlSeconds as number) > maxLifetimeSeconds
      )
        return undefined;
      body.ttlSeconds = ttlSeconds as number;
    }
    return body;
  };
}

const TimeBound = (description: string) =>
  z.iso.datetime({ offset: true }).optional().openapi({ description });

/** GET /reservations query: every filter given must match. */
export const ReservationListQuery = z.strictObject({
  sku: Id.optional().openapi({ description: 'Reservations with a line of this SKU' }),
  warehouseId: Id.optional().openapi({
    description: 'Reservations with a line in this warehouse (the same line as `sku` when both)',
  }),
  status: Status.optional(),
  orderId: Id.optional(),
  createdFrom: TimeBound('Created at or after this instant (ISO-8601)'),
  createdTo: TimeBound('Created before this instant'),
  expiresFrom: TimeBound('Expiring at or after this instant'),
  expiresTo: TimeBound('Expiring before this instant'),
  ...PagingQuery,
});

/** A page of reservations. */
export const ReservationPageSchema = pageOf(ReservationSchema, 'ReservationPage');

/** `:id` of a reservation. */
export const ReservationParams = z.strictObject({ id: Id });

/** The body of commit and release: none, or an empty object. */
export const EmptyBody = z.strictObject({}).optional();

/**
 * The body of commit and release: none or `{}` for the whole hold, or `lines` for some units of
 * some lines (a line without `warehouseId` takes from the SKU's lines in order).
 */
export const HoldPartsBody = z
  .strictObject({
    lines: z
      .array(
        z.strictObject({
          sku: Id,
          warehouseId: Id.optional().openapi({ description: 'Only the line in this warehouse' }),
          quantity: Quantity,
        }),
      )
      .min(1)
      .max(100)
      .optional()
      .openapi({ description: 'Commit or release only these units (default: the whole hold)' }),
  })
  .optional()
  .openapi('HoldParts');

/** PUT /reservations/:id/lines: the items the hold should hold from now on. */
export const ChangeHoldBody = z
  .strictObject({
    items: HoldItems,
    strategy: Strategy,
    location: Location,
    channelId: Id.optional().openapi({
      description: "Take extra units from this sales channel's warehouses only",
    }),
    expectedVersion: integerIn(1, Number.MAX_SAFE_INTEGER)
      .optional()
      .openapi({ description: 'Change only this version of the hold (else 409 VERSION_CONFLICT)' }),
  })
  .openapi('ChangeHold');

/** POST /reservations/:id/extend: at most the maximum lifetime, like `ttlSeconds`. */
export function extendBody(maxLifetimeSeconds: number) {
  return z.strictObject({ seconds: integerIn(1, maxLifetimeSeconds) }).openapi('Extend');
}

/** `:orderId`. */
export const OrderParams = z.strictObject({ orderId: Id });

/** POST /orders/:orderId/cancel. */
export const CancelOrderBody = z
  .strictObject({
    items: z
      .array(z.strictObject({ sku: Id, warehouseId: Id, quantity: Quantity }))
      .min(1)
      .max(1000)
      .optional()
      .openapi({ description: 'Refund only these committed quantities (default: all)' }),
  })
  .optional()
  .openapi('CancelOrder');

/** What cancelling an order did. */
export const CancelResultSchema = z
  .strictObject({ released: z.array(ReservationSchema), refunded: z.array(MovementSchema) })
  .openapi('CancelResult');

/** The API shape of a reservation. */
export function presentReservation(reservation: Reservation): ReservationBody {
  return {
    reservationId: reservation.id,
    status: reservation.status,
    orderId: reservation.orderId,
    userId: reservation.userId,
    createdAt: reservation.createdAt.toISOString(),
    expiresAt: reservation.expiresAt.toISOString(),
    committedAt: reservation.committedAt?.toISOString() ?? null,
    releasedAt: reservation.releasedAt?.toISOString() ?? null,
    allocations: reservation.lines.map(presentLine),
  };
}

type AllocationBody = ReservationBody['allocations'][number];

/** One line as an allocation: the optional fields only where they apply, in the schema's order. */
function presentLine(line: Reservation['lines'][number]): AllocationBody {
  const body: { -readonly [K in keyof AllocationBody]: AllocationBody[K] } = {
    sku: line.sku,
    warehouseId: line.warehouseId,
    quantity: line.quantity,
  };
  if (line.kitSku !== undefined) body.kitSku = line.kitSku;
  if (line.committed > 0) body.committed = line.committed;
  if (line.released > 0) body.released = line.released;
  // Only preorder lines carry the preorder fields: other lines keep their documented shape.
  if (line.receiptId !== null) {
    body.preordered = line.preordered;
    body.receiptId = line.receiptId;
    body.expectedAt = line.expectedAt?.toISOString() ?? null;
  }
  // Only lines waiting for a restock carry it: other lines keep their documented shape.
  if (line.backordered > 0) body.backordered = line.backordered;
  return body;
}

/** The API shape of an order cancellation. */
export function presentCancel(result: CancelResult): z.infer<typeof CancelResultSchema> {
  return {
    released: result.released.map(presentReservation),
    refunded: result.refunded.map(presentMovement),
  };
}
