import type { Stockroom } from '@stockroom/core';
import { EmptyBody } from '../schemas/reservation.js';
import { presentSkuPolicy, SkuPolicyBody, SkuPolicySchema } from '../schemas/sku-policy.js';
import { SkuParams } from '../schemas/stock.js';
import { z } from '../schemas/zod.js';
import { ADMIN, ANY_ROLE, defineRoute, type Route } from './define-route.js';

/** These routes take no query parameters: any is refused (400), never ignored. */
const NoQuery = z.strictObject({});

/** /inventory/:sku/policy: a SKU's per-cart limits and backorder rule. */
export function skuPolicyRoutes({ stockroom }: { stockroom: Stockroom }): Route[] {
  return [
    defineRoute({
      operationId: 'getSkuPolicy',
      method: 'get',
      path: '/inventory/:sku/policy',
      tag: 'Inventory',
      summary: 'A SKU’s per-cart limits and backorder rule (its own policy, or the defaults)',
      roles: ANY_ROLE,
      params: SkuParams,
      query: NoQuery,
      success: { status: 200, description: 'The effective policy', schema: SkuPolicySchema },
      failures: [],
      async handle({ params }) {
        return presentSkuPolicy(await stockroom.skuPolicies.get(params.sku));
      },
    }),
    defineRoute({
      operationId: 'setSkuPolicy',
      method: 'put',
      path: '/inventory/:sku/policy',
      tag: 'Inventory',
      summary:
        'Set a SKU’s per-cart minimum and maximum (units per reservation) and its backorder rule',
      description:
        'A reservation holding fewer units of the SKU than `minPerCart`, or more than `maxPerCart` (its items of the SKU summed), is refused with 422 `CART_LIMIT_EXCEEDED`. With `backorderPolicy: CONTINUE` a reservation may go beyond what is sellable: the excess is backordered on one stock row (at most `backorderLimit` units a row) and filled by restocks, first reserved first served.',
      roles: ADMIN,
      params: SkuParams,
      query: NoQuery,
      body: SkuPolicyBody,
      success: { status: 200, description: 'The policy', schema: SkuPolicySchema },
      failures: ['VERSION_CONFLICT'],
      async handle({ params, body }, call) {
        return presentSkuPolicy(
          await stockroom.skuPolicies.set({ sku: params.sku, ...body }, call.change),
        );
      },
    }),
    defineRoute({
      operationId: 'removeSkuPolicy',
      method: 'delete',
      path: '/inventory/:sku/policy',
      tag: 'Inventory',
      summary: 'Remove a SKU’s policy: the default limits apply again',
      roles: ADMIN,
      params: SkuParams,
      query: NoQuery,
      body: EmptyBody,
      success: { status: 200, description: 'The effective policy now', schema: SkuPolicySchema },
      failures: [],
      async handle({ params }) {
        return presentSkuPolicy(await stockroom.skuPolicies.remove(params.sku));
      },
    }),
  ];
}
