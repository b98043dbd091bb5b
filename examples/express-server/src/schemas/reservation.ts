import {
  ALLOCATION_STRATEGIES,
  type AllocationStrategy,
  type CancelResult,
  type Reservation,
  ReservationStatus,
} from '@stockroom/core';
import { Id, integerIn, numberIn, OptionalTimestamp, Quantity, Timestamp } from './common.js';
import { MovementSchema, presentMovement } from './stock.js';
import { z } from './zod.js';

/** A reservation as the API shows it. */
export const ReservationSchema = z
  .strictObject({
    reservationId: z.string(),
    status: z.enum(Object.values(ReservationStatus) as [ReservationStatus, ...ReservationStatus[]]),
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
        backordered: z.number().int().min(0).openapi({
          description:
            'Units of `quantity` not held yet: backordered, waiting for a restock of the row (0 for an ordinary hold)',
        }),
      }),
    ),
  })
  .openapi('Reservation');

/** A reservation response body. */
export type ReservationBody = z.infer<typeof ReservationSchema>;

/**
 * POST /reservations, for a server whose reservations live at most `maxLifetimeSeconds`: the
 * body's `ttlSeconds` limit, its message and its OpenAPI maximum are that one number.
 */
export function reserveBody(maxLifetimeSeconds: number) {
  return z
    .strictObject({
      items: z
        .array(
          z.strictObject({
            sku: Id,
            quantity: Quantity,
            warehouseId: Id.optional().openapi({ description: 'Pins the item to one warehouse' }),
          }),
        )
        .min(1)
        .max(100),
      orderId: Id.optional(),
      userId: Id.optional(),
      ttlSeconds: integerIn(1, maxLifetimeSeconds)
        .optional()
        .openapi({
          description: `How long the hold lasts, 1–${maxLifetimeSeconds} s (the server's default when absent)`,
        }),
      strategy: z
        .enum(ALLOCATION_STRATEGIES as [AllocationStrategy, ...AllocationStrategy[]])
        .optional(),
      location: z
        .strictObject({
          latitude: numberIn(-90, 90),
          longitude: numberIn(-180, 180),
        })
        .optional()
        .openapi({ description: "The customer's location, for the nearest strategy" }),
      channelId: Id.optional().openapi({
        description:
          "Allocate from this sales channel's warehouses only (a bound key: its own, or 403)",
      }),
    })
    .openapi('Reserve');
}

/** `:id` of a reservation. */
export const ReservationParams = z.strictObject({ id: Id });

/** The body of commit and release: none, or an empty object. */
export const EmptyBody = z.strictObject({}).optional();

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
    allocations: reservation.lines.map((line) => ({
      sku: line.sku,
      warehouseId: line.warehouseId,
      quantity: line.quantity,
      backordered: line.backordered,
    })),
  };
}

/** The API shape of an order cancellation. */
export function presentCancel(result: CancelResult): z.infer<typeof CancelResultSchema> {
  return {
    released: result.released.map(presentReservation),
    refunded: result.refunded.map(presentMovement),
  };
}
