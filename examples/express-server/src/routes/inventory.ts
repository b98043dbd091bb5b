import { NotFoundError, presentAvailability, type Stockroom } from '@stockroom/core';
import { channelOf, displayOf } from '../channel-access.js';
import { atomicBulkFailure } from '../problem-details.js';
import { presentKitAvailability } from '../schemas/kit.js';
import {
  AdjustBody,
  AdjustResultSchema,
  AvailabilitySchema,
  BulkResultSchema,
  BulkUpdateBody,
  CheckQuery,
  LowStockQuery,
  MovementPageSchema,
  MovementQuery,
  PageQuery,
  presentMovement,
  presentSkuStock,
  presentStock,
  SettingsBody,
  SkuParams,
  SkuStockQuery,
  SkuStockSchema,
  StockKeyParams,
  StockListSchema,
  StockPageSchema,
  StockSchema,
  WarehouseIdParams,
} from '../schemas/stock.js';
import { ADMIN, ANY_ROLE, defineRoute, type Route } from './define-route.js';

/** /inventory. Fixed paths come before `/inventory/:sku`, which would shadow them. */
export function inventoryRoutes({ stockroom }: { stockroom: Stockroom }): Route[] {
  return [
    defineRoute({
      operationId: 'checkAvailability',
      method: 'get',
      path: '/inventory/check',
      tag: 'Inventory',
      summary:
        'Can this quantity of a SKU be had? (ACTIVE warehouses; nearest first with coordinates)',
      roles: ANY_ROLE,
      query: CheckQuery,
      success: { status: 200, description: 'The answer', schema: AvailabilitySchema },
      failures: ['NOT_FOUND'],
      async handle({ query }, call) {
        const channelId = channelOf(call.principal, query.channelId);
        const [result, display] = await Promise.all([
          stockroom.availability.check({
            sku: query.sku,
            quantity: query.quantity,
            ...(query.latitude !== undefined && query.longitude !== undefined
              ? { location: { latitude: query.latitude, longitude: query.longitude } }
              : {}),
            ...(channelId === undefined ? {} : { channelId }),
            ...(query.preorderable === 'true' ? { includePreorderable: true } : {}),
          }),
          displayOf(stockroom, call.principal, channelId),
        ]);
        const kit = result.kit ? { kit: presentKitAvailability(result.kit) } : {};
        if (display) return { ...presentAvailability(result, display), ...kit };
        // rowVersions stays in the library's answer; the HTTP answer keeps its documented shape.
        const { rowVersions: _, kit: _kit, preorder, preorderable, ...answer } = result;
        const shown = {
          ...answer,
          ...kit,
          wouldBackorder: answer.backorderedQuantity > 0,
          ...(preorderable
            ? {
                preorderable: {
                  quantity: preorderable.quantity,
                  earliestExpectedAt: preorderable.earliestExpectedAt.toISOString(),
                },
              }
            : {}),
        };
        return preorder
          ? {
              ...shown,
              preorder: {
                quantity: preorder.quantity,
                expectedAt: preorder.expectedAt.toISOString(),
              },
            }
          : shown;
      },
    }),
    defineRoute({
      operationId: 'listLowStock',
      method: 'get',
      path: '/inventory/low-stock',
      tag: 'Inventory',
      summary: 'Rows with available at or below their low-stock threshold',
      roles: ANY_ROLE,
      query: LowStockQuery,
      success: { status: 200, description: 'The rows', schema: StockListSchema },
      failures: [],
      async handle({ query }) {
        const rows = await stockroom.availability.lowStock(query.warehouseId);
        return { items: rows.map(presentStock) };
      },
    }),
    defineRoute({
      operationId: 'adjustStock',
      method: 'post',
      path: '/inventory/adjust',
      tag: 'Inventory',
      summary:
        'Restock, return, damage, write off, restore or correct one row (one ledger movement)',
      roles: ADMIN,
      body: AdjustBody,
      success: {
        status: 200,
        description: 'The row after the change and its movement',
        schema: AdjustResultSchema,
      },
      failures: ['NOT_FOUND', 'INSUFFICIENT_STOCK', 'VERSION_CONFLICT', 'CAPACITY_EXCEEDED'],
      async handle({ body }, call) {
        const { reason, ...request } = body;
        // The whole body, reason included, is the fingerprint of the Idempotency-Key.
        const fingerprinted = { ...request, ...(reason === undefined ? {} : { reason }) };
        const result = await stockroom.adjustments.adjust(
          fingerprinted as typeof request,
          reason === undefined ? call.change : { ...call.change, reason },
        );
        return { stock: presentStock(result.stock), movement: presentMovement(result.movement) };
      },
    }),
    defineRoute({
      operationId: 'bulkUpdateStock',
      method: 'post',
      path: '/inventory/bulk-update',
      tag: 'Inventory',
      summary: 'Set or change available on up to 10,000 rows (atomic or item by item)',
      description:
        'With `atomic: true` any failure applies nothing and answers the first failure’s code with that code’s status (409 `INSUFFICIENT_STOCK`, 404 `NOT_FOUND`, 409 `VERSION_CONFLICT` for an item whose `expectedQuantity` does not match), every failure in `failed`.',
      roles: ADMIN,
      body: BulkUpdateBody,
      bodyLimit: '16mb',
      success: {
        status: 200,
        description: 'What was applied and what failed',
        schema: BulkResultSchema,
      },
      failures: ['INSUFFICIENT_STOCK', 'CAPACITY_EXCEEDED', 'NOT_FOUND', 'VERSION_CONFLICT'],
      async handle({ body }, call) {
        const result = await stockroom.adjustments.bulkUpdate(
          { mode: body.mode, atomic: body.atomic ?? false, items: body.items },
          call.change,
        );
        if ((body.atomic ?? false) && result.failed.length > 0)
          throw atomicBulkFailure(result.failed);
        return {
          applied: result.applied,
          failed: result.failed.map(({ index, code, detail }) => ({ index, code, detail })),
        };
      },
    }),
    defineRoute({
      operationId: 'listWarehouseStock',
      method: 'get',
      path: '/inventory/warehouses/:warehouseId/stock',
      tag: 'Inventory',
      summary: 'A warehouse’s stock rows (by SKU)',
      roles: ANY_ROLE,
      params: WarehouseIdParams,
      query: PageQuery,
      success: { status: 200, description: 'A page of rows', schema: StockPageSchema },
      failures: ['NOT_FOUND'],
      async handle({ params, query }) {
        const [warehouse, page] = await Promise.all([
          stockroom.store.reads.warehouse(params.warehouseId),
          stockroom.availability.listByWarehouse(params.warehouseId, query),
        ]);
        if (!warehouse) throw new NotFoundError('warehouse', params.warehouseId);
        return { items: page.items.map(presentStock), nextCursor: page.nextCursor };
      },
    }),
    defineRoute({
      operationId: 'getSkuStock',
      method: 'get',
      path: '/inventory/:sku',
      tag: 'Inventory',
      summary: 'A SKU’s totals and rows, now or (with asOf) rebuilt from the ledger',
      roles: ANY_ROLE,
      params: SkuParams,
      query: SkuStockQuery,
      success: { status: 200, description: 'The SKU’s stock', schema: SkuStockSchema },
      failures: ['NOT_FOUND', 'HISTORY_ARCHIVED'],
      async handle({ params, query }) {
        const stock =
          query.asOf === undefined
            ? await stockroom.availability.get(params.sku)
            : await stockroom.availability.stockAsOf(params.sku, new Date(query.asOf));
        return presentSkuStock(stock);
      },
    }),
    defineRoute({
      operationId: 'listMovements',
      method: 'get',
      path: '/inventory/:sku/movements',
      tag: 'Inventory',
      summary: 'A SKU’s ledger movements, newest first',
      roles: ANY_ROLE,
      params: SkuParams,
      query: MovementQuery,
      success: { status: 200, description: 'A page of movements', schema: MovementPageSchema },
      failures: [],
      async handle({ params, query }) {
        const { warehouseId, ...page } = query;
        const result = await stockroom.availability.movements(
          { sku: params.sku, ...(warehouseId === undefined ? {} : { warehouseId }) },
          page,
        );
        return { items: result.items.map(presentMovement), nextCursor: result.nextCursor };
      },
    }),
    defineRoute({
      operationId: 'updateStockSettings',
      method: 'put',
      path: '/inventory/:sku/warehouses/:warehouseId/settings',
      tag: 'Inventory',
      summary: 'Set a row’s low-stock threshold, reorder point, max stock level or safety stock',
      roles: ADMIN,
      params: StockKeyParams,
      body: SettingsBody,
      success: { status: 200, description: 'The row', schema: StockSchema },
      failures: ['NOT_FOUND'],
      async handle({ params, body }, call) {
        return presentStock(
          await stockroom.adjustments.updateSettings({ ...params, ...body }, call.change),
        );
      },
    }),
  ];
}
