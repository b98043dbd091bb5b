import type { CartCheckRequest, Stockroom } from '@stockroom/core';
import { channelOf, displayOf } from '../channel-access.js';
import { CartCheckSchema, CheckCartBody, presentCartCheck } from '../schemas/cart.js';
import { ANY_ROLE, defineRoute, type Route } from './define-route.js';

/** The whole-cart check (a read: it holds and writes nothing). */
export function cartRoutes({ stockroom }: { stockroom: Stockroom }): Route[] {
  return [
    defineRoute({
      operationId: 'checkCart',
      method: 'post',
      path: '/inventory/check-cart',
      tag: 'Inventory',
      summary:
        'Check a whole cart: per SKU and for the cart, with the allocation a reservation would make now',
      description:
        'A dry run of reservation admission on the rows as they are now: the same allocation code, strategies and sales channel, nothing held or written. A reservation made afterwards may still be refused if stock moved. A key bound to a channel checks in its own channel (naming another → 403) and sees quantities through its display strategy. An `Idempotency-Key` is accepted and has no effect (the check is a read).',
      roles: ANY_ROLE,
      body: CheckCartBody,
      success: { status: 200, description: 'The answer', schema: CartCheckSchema },
      failures: ['NOT_FOUND'],
      async handle({ body }, call) {
        const channelId = channelOf(call.principal, body.channelId);
        const [result, display] = await Promise.all([
          stockroom.carts.check({
            ...body,
            ...(channelId === undefined ? {} : { channelId }),
          } as CartCheckRequest),
          displayOf(stockroom, call.principal, channelId),
        ]);
        return presentCartCheck(result, display);
      },
    }),
  ];
}
