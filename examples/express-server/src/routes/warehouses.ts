import { NotFoundError, type Stockroom } from '@stockroom/core';
import {
  CreateWarehouseBody,
  presentWarehouse,
  UpdateWarehouseBody,
  WarehouseListQuery,
  WarehousePageSchema,
  WarehouseParams,
  WarehouseSchema,
} from '../schemas/warehouse.js';
import { ADMIN, ANY_ROLE, defineRoute, type Route } from './define-route.js';

/** /warehouses. */
export function warehouseRoutes({ stockroom }: { stockroom: Stockroom }): Route[] {
  return [
    defineRoute({
      operationId: 'createWarehouse',
      method: 'post',
      path: '/warehouses',
      tag: 'Warehouses',
      summary: 'Create a warehouse',
      roles: ADMIN,
      body: CreateWarehouseBody,
      success: { status: 201, description: 'The new warehouse', schema: WarehouseSchema },
      failures: ['ALREADY_EXISTS'],
      async handle({ body }, call) {
        return presentWarehouse(await stockroom.warehouses.create(body, call.change));
      },
    }),
    defineRoute({
      operationId: 'listWarehouses',
      method: 'get',
      path: '/warehouses',
      tag: 'Warehouses',
      summary: 'List warehouses (by id)',
      roles: ANY_ROLE,
      query: WarehouseListQuery,
      success: { status: 200, description: 'A page of warehouses', schema: WarehousePageSchema },
      failures: [],
      async handle({ query }) {
        const page = await stockroom.warehouses.list(query);
        return { items: page.items.map(presentWarehouse), nextCursor: page.nextCursor };
      },
    }),
    defineRoute({
      operationId: 'getWarehouse',
      method: 'get',
      path: '/warehouses/:id',
      tag: 'Warehouses',
      summary: 'Get a warehouse',
      roles: ANY_ROLE,
      params: WarehouseParams,
      success: { status: 200, description: 'The warehouse', schema: WarehouseSchema },
      failures: ['NOT_FOUND'],
      async handle({ params }) {
        const warehouse = await stockroom.warehouses.get(params.id);
        if (!warehouse) throw new NotFoundError('warehouse', params.id);
        return presentWarehouse(warehouse);
      },
    }),
    defineRoute({
      operationId: 'updateWarehouse',
      method: 'patch',
      path: '/warehouses/:id',
      tag: 'Warehouses',
      summary: 'Change any of a warehouse’s fields but its id',
      roles: ADMIN,
      params: WarehouseParams,
      body: UpdateWarehouseBody,
      success: { status: 200, description: 'The changed warehouse', schema: WarehouseSchema },
      failures: ['NOT_FOUND'],
      async handle({ params, body }, call) {
        return presentWarehouse(await stockroom.warehouses.update(params.id, body, call.change));
      },
    }),
  ];
}
