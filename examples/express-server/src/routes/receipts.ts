import { NotFoundError, type Stockroom } from '@stockroom/core';
import {
  CreateReceiptBody,
  presentReceipt,
  ReceiptListQuery,
  ReceiptPageSchema,
  ReceiptParams,
  ReceiptSchema,
  ReceiveBody,
} from '../schemas/receipt.js';
import { EmptyBody } from '../schemas/reservation.js';
import { ADMIN, ANY_ROLE, defineRoute, type Route } from './define-route.js';

/** /receipts: incoming stock (purchase orders, shipping notices) and the preorders it backs. */
export function receiptRoutes({ stockroom }: { stockroom: Stockroom }): Route[] {
  return [
    defineRoute({
      operationId: 'createReceipt',
      method: 'post',
      path: '/receipts',
      tag: 'Receipts',
      summary: 'Record units of a SKU expected in a warehouse (EXPECTED; nothing enters the row)',
      roles: ADMIN,
      body: CreateReceiptBody,
      success: { status: 201, description: 'The EXPECTED receipt', schema: ReceiptSchema },
      failures: ['NOT_FOUND'],
      async handle({ body }, call) {
        const receipt = await stockroom.incoming.create(
          {
            sku: body.sku,
            warehouseId: body.warehouseId,
            quantity: body.quantity,
            expectedAt: new Date(body.expectedAt),
            ...(body.reference === undefined ? {} : { reference: body.reference }),
          },
          call.change,
        );
        return presentReceipt(receipt);
      },
    }),
    defineRoute({
      operationId: 'listReceipts',
      method: 'get',
      path: '/receipts',
      tag: 'Receipts',
      summary: 'List receipts, newest first',
      roles: ANY_ROLE,
      query: ReceiptListQuery,
      success: { status: 200, description: 'A page of receipts', schema: ReceiptPageSchema },
      failures: [],
      async handle({ query }) {
        const { sku, warehouseId, status, ...page } = query;
        const result = await stockroom.incoming.list(
          {
            ...(sku === undefined ? {} : { sku }),
            ...(warehouseId === undefined ? {} : { warehouseId }),
            ...(status === undefined ? {} : { status }),
          },
          page,
        );
        return { items: result.items.map(presentReceipt), nextCursor: result.nextCursor };
      },
    }),
    defineRoute({
      operationId: 'getReceipt',
      method: 'get',
      path: '/receipts/:id',
      tag: 'Receipts',
      summary: 'Get a receipt',
      roles: ANY_ROLE,
      params: ReceiptParams,
      success: { status: 200, description: 'The receipt', schema: ReceiptSchema },
      failures: ['NOT_FOUND'],
      async handle({ params }) {
        const receipt = await stockroom.incoming.get(params.id);
        if (!receipt) throw new NotFoundError('receipt', params.id);
        return presentReceipt(receipt);
      },
    }),
    defineRoute({
      operationId: 'receiveReceipt',
      method: 'post',
      path: '/receipts/:id/receive',
      tag: 'Receipts',
      summary:
        'Receive units: available +q (RESTOCK), then preorders become holds first reserved first served',
      roles: ADMIN,
      params: ReceiptParams,
      body: ReceiveBody,
      success: {
        status: 200,
        description: 'The PARTIALLY_RECEIVED or RECEIVED receipt',
        schema: ReceiptSchema,
      },
      failures: ['NOT_FOUND', 'INVALID_STATE', 'CAPACITY_EXCEEDED'],
      async handle({ params, body }, call) {
        const quantity = body?.quantity;
        return presentReceipt(
          await stockroom.incoming.receive(
            params.id,
            quantity === undefined ? {} : { quantity },
            call.change,
          ),
        );
      },
    }),
    defineRoute({
      operationId: 'cancelReceipt',
      method: 'post',
      path: '/receipts/:id/cancel',
      tag: 'Receipts',
      summary: 'Cancel an open receipt (409 INVALID_STATE while units are preordered)',
      roles: ADMIN,
      params: ReceiptParams,
      body: EmptyBody,
      success: { status: 200, description: 'The CANCELLED receipt', schema: ReceiptSchema },
      failures: ['NOT_FOUND', 'INVALID_STATE'],
      async handle({ params }, call) {
        return presentReceipt(await stockroom.incoming.cancel(params.id, call.change));
      },
    }),
  ];
}
