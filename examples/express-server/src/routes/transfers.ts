import { NotFoundError, type Stockroom } from '@stockroom/core';
import { EmptyBody } from '../schemas/reservation.js';
import {
  CreateTransferBody,
  presentTransfer,
  TransferListQuery,
  TransferPageSchema,
  TransferParams,
  TransferSchema,
} from '../schemas/transfer.js';
import { ADMIN, ANY_ROLE, defineRoute, type Route } from './define-route.js';

/** /transfers. */
export function transferRoutes({ stockroom }: { stockroom: Stockroom }): Route[] {
  const step = (name: 'ship' | 'receive' | 'cancel', summary: string, description: string): Route =>
    defineRoute({
      operationId: `${name}Transfer`,
      method: 'post',
      path: `/transfers/:id/${name}`,
      tag: 'Transfers',
      summary,
      roles: ADMIN,
      params: TransferParams,
      body: EmptyBody,
      success: { status: 200, description, schema: TransferSchema },
      failures: [
        'NOT_FOUND',
        'INVALID_STATE',
        ...(name === 'ship' ? (['INSUFFICIENT_STOCK'] as const) : []),
      ],
      async handle({ params }, call) {
        return presentTransfer(await stockroom.transfers[name](params.id, call.change));
      },
    });
  return [
    defineRoute({
      operationId: 'createTransfer',
      method: 'post',
      path: '/transfers',
      tag: 'Transfers',
      summary: 'Start moving units of a SKU between two warehouses',
      roles: ADMIN,
      body: CreateTransferBody,
      success: { status: 201, description: 'The INITIATED transfer', schema: TransferSchema },
      failures: ['NOT_FOUND', 'INSUFFICIENT_STOCK'],
      async handle({ body }, call) {
        return presentTransfer(await stockroom.transfers.create(body, call.change));
      },
    }),
    defineRoute({
      operationId: 'listTransfers',
      method: 'get',
      path: '/transfers',
      tag: 'Transfers',
      summary: 'List transfers, newest first',
      roles: ANY_ROLE,
      query: TransferListQuery,
      success: { status: 200, description: 'A page of transfers', schema: TransferPageSchema },
      failures: [],
      async handle({ query }) {
        const { status, warehouseId, ...page } = query;
        const result = await stockroom.transfers.list(
          {
            ...(status === undefined ? {} : { status }),
            ...(warehouseId === undefined ? {} : { warehouseId }),
          },
          page,
        );
        return { items: result.items.map(presentTransfer), nextCursor: result.nextCursor };
      },
    }),
    defineRoute({
      operationId: 'getTransfer',
      method: 'get',
      path: '/transfers/:id',
      tag: 'Transfers',
      summary: 'Get a transfer',
      roles: ANY_ROLE,
      params: TransferParams,
      success: { status: 200, description: 'The transfer', schema: TransferSchema },
      failures: ['NOT_FOUND'],
      async handle({ params }) {
        const transfer = await stockroom.transfers.get(params.id);
        if (!transfer) throw new NotFoundError('transfer', params.id);
        return presentTransfer(transfer);
      },
    }),
    step(
      'ship',
      'Ship: source available −q (TRANSFER_OUT), destination inTransit +q (again: 200 unchanged)',
      'The IN_TRANSIT transfer',
    ),
    step(
      'receive',
      'Receive: destination inTransit −q, available +q (TRANSFER_IN) (again: 200 unchanged)',
      'The RECEIVED transfer',
    ),
    step('cancel', 'Cancel an INITIATED transfer', 'The CANCELLED transfer'),
  ];
}
