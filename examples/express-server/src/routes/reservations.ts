import {
  type ChangeContext,
  type ChangeHoldRequest,
  type HoldPart,
  isInsufficientStock,
  NotFoundError,
  type Reservation,
  type ReservationFilter,
  type ReserveRequest,
  type Stockroom,
} from '@stockroom/core';
import { channelOf, displayOf, shortfallsShownAs } from '../channel-access.js';
import {
  CancelOrderBody,
  CancelResultSchema,
  ChangeHoldBody,
  extendBody,
  HoldPartsBody,
  OrderParams,
  plainReserveBody,
  presentCancel,
  presentReservation,
  ReservationListQuery,
  ReservationPageSchema,
  ReservationParams,
  ReservationSchema,
  reserveBody,
} from '../schemas/reservation.js';
import { ANY_ROLE, defineRoute, type Route, STOREFRONT } from './define-route.js';

/** Counts reservation outcomes the core does not count (commit, release). */
export interface ReservationOutcomes {
  count(outcome: 'committed' | 'released'): void;
}

/** /reservations and /orders. */
export function reservationRoutes({
  stockroom,
  outcomes,
  maxLifetimeSeconds = 3600,
}: {
  stockroom: Stockroom;
  outcomes: ReservationOutcomes;
  /** The configured maximum reservation lifetime (the core's default is 3600 s). */
  maxLifetimeSeconds?: number;
}): Route[] {
  /** A partial commit or release; counted once it ends the hold. */
  const settleParts = async (
    id: string,
    lines: readonly HoldPart[],
    kind: 'commit' | 'release',
    change: ChangeContext,
  ): Promise<Reservation> => {
    let changed = false;
    const context = {
      ...change,
      onChanged: () => {
        changed = true;
      },
    };
    const reservation =
      kind === 'commit'
        ? await stockroom.reservations.commitPart(id, { lines }, context)
        : await stockroom.reservations.releasePart(id, { lines }, context);
    if (changed && reservation.status !== 'ACTIVE') {
      outcomes.count(reservation.status === 'COMMITTED' ? 'committed' : 'released');
    }
    return reservation;
  };
  return [
    defineRoute({
      operationId: 'reserve',
      method: 'post',
      path: '/reservations',
      tag: 'Reservations',
      summary: 'Hold stock for a checkout: every line or none',
      roles: STOREFRONT,
      body: reserveBody(maxLifetimeSeconds),
      plainBody: plainReserveBody(maxLifetimeSeconds),
      success: { status: 201, description: 'The ACTIVE reservation', schema: ReservationSchema },
      failures: ['INSUFFICIENT_STOCK', 'CART_LIMIT_EXCEEDED', 'VERSION_CONFLICT', 'NOT_FOUND'],
      async handle({ body }, call) {
        const channelId = channelOf(call.principal, body.channelId);
        const request = channelId === undefined ? body : { ...body, channelId };
        let reservation: Reservation;
        try {
          reservation = await stockroom.reservations.reserve(
            request as ReserveRequest,
            call.change,
          );
        } catch (error) {
          if (!isInsufficientStock(error) || call.principal.role === 'admin') throw error;
          throw shortfallsShownAs(error, await displayOf(stockroom, call.principal, channelId));
        }
        return presentReservation(reservation);
      },
    }),
    defineRoute({
      operationId: 'listReservations',
      method: 'get',
      path: '/reservations',
      tag: 'Reservations',
      summary: 'List reservations, newest first, by SKU, warehouse, status, order and time ranges',
      description:
        'Every filter given must match; ranges are half-open (`…From` inclusive, `…To` exclusive). Paging to the end serves each reservation that existed before the first page exactly once while new ones arrive. Keys bound to a sales channel may not list (403).',
      roles: ANY_ROLE,
      query: ReservationListQuery,
      success: {
        status: 200,
        description: 'A page of reservations',
        schema: ReservationPageSchema,
      },
      failures: [],
      async handle({ query }) {
        const { limit, cursor, createdFrom, createdTo, expiresFrom, expiresTo, ...equal } = query;
        const times = { createdFrom, createdTo, expiresFrom, expiresTo };
        const filter: Record<string, string | Date> = {};
        for (const [name, value] of Object.entries({ ...equal, ...times })) {
          if (value === undefined) continue;
          filter[name] = name in times ? new Date(value) : value;
        }
        const page = await stockroom.reservations.list(filter as ReservationFilter, {
          ...(limit === undefined ? {} : { limit }),
          ...(cursor === undefined ? {} : { cursor }),
        });
        return { items: page.items.map(presentReservation), nextCursor: page.nextCursor };
      },
    }),
    defineRoute({
      operationId: 'getReservation',
      method: 'get',
      path: '/reservations/:id',
      tag: 'Reservations',
      summary: 'Get a reservation',
      roles: ANY_ROLE,
      params: ReservationParams,
      success: { status: 200, description: 'The reservation', schema: ReservationSchema },
      failures: ['NOT_FOUND'],
      async handle({ params }) {
        const reservation = await stockroom.reservations.get(params.id);
        if (!reservation) throw new NotFoundError('reservation', params.id);
        return presentReservation(reservation);
      },
    }),
    defineRoute({
      operationId: 'commitReservation',
      method: 'post',
      path: '/reservations/:id/commit',
      tag: 'Reservations',
      summary: 'Sell the held units, or some of them with `lines` (again: 200 unchanged)',
      roles: STOREFRONT,
      params: ReservationParams,
      body: HoldPartsBody,
      success: {
        status: 200,
        description: 'The COMMITTED reservation (ACTIVE while a partial commit leaves units held)',
        schema: ReservationSchema,
      },
      failures: ['NOT_FOUND', 'INVALID_STATE'],
      async handle({ params, body }, call) {
        if (body?.lines) {
          return presentReservation(
            await settleParts(params.id, body.lines, 'commit', call.change),
          );
        }
        // Counted from the command itself (it made the transition), never from a read before it.
        const reservation = await stockroom.reservations.commit(params.id, {
          ...call.change,
          onChanged: () => outcomes.count('committed'),
        });
        return presentReservation(reservation);
      },
    }),
    defineRoute({
      operationId: 'releaseReservation',
      method: 'post',
      path: '/reservations/:id/release',
      tag: 'Reservations',
      summary:
        'Give the held units back, or some of them with `lines` (RELEASED or EXPIRED: 200 unchanged)',
      roles: STOREFRONT,
      params: ReservationParams,
      body: HoldPartsBody,
      success: {
        status: 200,
        description:
          'The RELEASED reservation (ACTIVE while units stay held; COMMITTED when a part was sold)',
        schema: ReservationSchema,
      },
      failures: ['NOT_FOUND', 'INVALID_STATE'],
      async handle({ params, body }, call) {
        if (body?.lines) {
          return presentReservation(
            await settleParts(params.id, body.lines, 'release', call.change),
          );
        }
        // Counted from the command itself (it made the transition), never from a read before it.
        const reservation = await stockroom.reservations.release(params.id, {
          ...call.change,
          onChanged: () => outcomes.count('released'),
        });
        return presentReservation(reservation);
      },
    }),
    defineRoute({
      operationId: 'changeReservationLines',
      method: 'put',
      path: '/reservations/:id/lines',
      tag: 'Reservations',
      summary:
        'Replace the items of an ACTIVE hold: kept units stay held, extra units all-or-nothing',
      roles: STOREFRONT,
      params: ReservationParams,
      body: ChangeHoldBody,
      success: { status: 200, description: 'The changed reservation', schema: ReservationSchema },
      failures: [
        'NOT_FOUND',
        'INVALID_STATE',
        'INSUFFICIENT_STOCK',
        'CART_LIMIT_EXCEEDED',
        'VERSION_CONFLICT',
      ],
      async handle({ params, body }, call) {
        const channelId = channelOf(call.principal, body.channelId);
        const request = channelId === undefined ? body : { ...body, channelId };
        try {
          return presentReservation(
            await stockroom.reservations.change(
              params.id,
              request as ChangeHoldRequest,
              call.change,
            ),
          );
        } catch (error) {
          if (!isInsufficientStock(error) || call.principal.role === 'admin') throw error;
          throw shortfallsShownAs(error, await displayOf(stockroom, call.principal, channelId));
        }
      },
    }),
    defineRoute({
      operationId: 'extendReservation',
      method: 'post',
      path: '/reservations/:id/extend',
      tag: 'Reservations',
      summary: 'Move expiresAt later (ACTIVE only, within the maximum lifetime)',
      roles: STOREFRONT,
      params: ReservationParams,
      body: extendBody(maxLifetimeSeconds),
      success: { status: 200, description: 'The extended reservation', schema: ReservationSchema },
      failures: ['NOT_FOUND', 'INVALID_STATE'],
      async handle({ params, body }, call) {
        return presentReservation(
          await stockroom.reservations.extend(params.id, body.seconds, call.change),
        );
      },
    }),
    defineRoute({
      operationId: 'cancelOrder',
      method: 'post',
      path: '/orders/:orderId/cancel',
      tag: 'Orders',
      summary: 'Release the order’s ACTIVE reservations and refund what it bought',
      roles: STOREFRONT,
      params: OrderParams,
      body: CancelOrderBody,
      success: {
        status: 200,
        description: 'What was released and refunded',
        schema: CancelResultSchema,
      },
      failures: ['INVALID_STATE'],
      async handle({ params, body }, call) {
        return presentCancel(
          await stockroom.orders.cancel(params.orderId, body?.items, call.change),
        );
      },
    }),
  ];
}
