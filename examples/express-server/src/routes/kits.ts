import { NotFoundError, type Stockroom } from '@stockroom/core';
import {
  DefineKitBody,
  KitListQuery,
  KitListSchema,
  KitParams,
  KitSchema,
  presentKit,
} from '../schemas/kit.js';
import { ADMIN, ANY_ROLE, defineRoute, type Route } from './define-route.js';

/** /kits: kit (bundle) definitions. Checks and reservations take kit SKUs like any other. */
export function kitRoutes({ stockroom }: { stockroom: Stockroom }): Route[] {
  return [
    defineRoute({
      operationId: 'defineKit',
      method: 'put',
      path: '/kits/:sku',
      tag: 'Kits',
      summary: 'Define a kit (create or replace): a SKU made of other SKUs, never stocked itself',
      roles: ADMIN,
      params: KitParams,
      body: DefineKitBody,
      success: { status: 200, description: 'The kit', schema: KitSchema },
      failures: ['KIT_NOT_STOCKABLE', 'VERSION_CONFLICT'],
      async handle({ params, body }, call) {
        return presentKit(await stockroom.kits.define({ sku: params.sku, ...body }, call.change));
      },
    }),
    defineRoute({
      operationId: 'listKits',
      method: 'get',
      path: '/kits',
      tag: 'Kits',
      summary: 'Every kit, by SKU',
      roles: ANY_ROLE,
      query: KitListQuery,
      success: { status: 200, description: 'The kits', schema: KitListSchema },
      failures: [],
      async handle() {
        return { items: (await stockroom.kits.list()).map(presentKit), nextCursor: null };
      },
    }),
    defineRoute({
      operationId: 'getKit',
      method: 'get',
      path: '/kits/:sku',
      tag: 'Kits',
      summary: 'One kit',
      roles: ANY_ROLE,
      params: KitParams,
      success: { status: 200, description: 'The kit', schema: KitSchema },
      failures: ['NOT_FOUND'],
      async handle({ params }) {
        const kit = await stockroom.kits.get(params.sku);
        if (!kit) throw new NotFoundError('kit', params.sku);
        return presentKit(kit);
      },
    }),
    defineRoute({
      operationId: 'deleteKit',
      method: 'delete',
      path: '/kits/:sku',
      tag: 'Kits',
      summary: 'Delete a kit (reservations holding its components keep them)',
      roles: ADMIN,
      params: KitParams,
      success: { status: 200, description: 'The deleted kit', schema: KitSchema },
      failures: ['NOT_FOUND'],
      async handle({ params }, call) {
        return presentKit(await stockroom.kits.remove(params.sku, call.change));
      },
    }),
  ];
}
