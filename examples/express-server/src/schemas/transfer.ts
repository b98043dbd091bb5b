import { type Transfer, TransferStatus } from '@stockroom/core';
import { Id, OptionalTimestamp, PagingQuery, pageOf, Quantity, Timestamp } from './common.js';
import { z } from './zod.js';

const Status = z.enum(Object.values(TransferStatus) as [TransferStatus, ...TransferStatus[]]);

/** A transfer as the API shows it. */
export const TransferSchema = z
  .strictObject({
    id: z.string(),
    sku: Id,
    fromWarehouseId: Id,
    toWarehouseId: Id,
    quantity: Quantity,
    status: Status,
    createdAt: Timestamp,
    shippedAt: OptionalTimestamp,
    receivedAt: OptionalTimestamp,
    cancelledAt: OptionalTimestamp,
  })
  .openapi('Transfer');

/** A transfer response body. */
export type TransferBody = z.infer<typeof TransferSchema>;

/** POST /transfers. */
export const CreateTransferBody = z
  .strictObject({ sku: Id, fromWarehouseId: Id, toWarehouseId: Id, quantity: Quantity })
  .superRefine((body, context) => {
    if (body.fromWarehouseId === body.toWarehouseId) {
      context.addIssue({
        code: 'custom',
        path: ['toWarehouseId'],
        message: 'must differ from fromWarehouseId',
      });
    }
  })
  .openapi('CreateTransfer');

/** `:id` of a transfer. */
export const TransferParams = z.strictObject({ id: Id });

/** GET /transfers query. */
export const TransferListQuery = z.strictObject({
  status: Status.optional(),
  warehouseId: Id.optional().openapi({ description: 'Transfers from or to this warehouse' }),
  ...PagingQuery,
});

/** A page of transfers. */
export const TransferPageSchema = pageOf(TransferSchema, 'TransferPage');

/** The API shape of a transfer. */
export function presentTransfer(transfer: Transfer): TransferBody {
  return {
    id: transfer.id,
    sku: transfer.sku,
    fromWarehouseId: transfer.fromWarehouseId,
    toWarehouseId: transfer.toWarehouseId,
    quantity: transfer.quantity,
    status: transfer.status,
    createdAt: transfer.createdAt.toISOString(),
    shippedAt: transfer.shippedAt?.toISOString() ?? null,
    receivedAt: transfer.receivedAt?.toISOString() ?? null,
    cancelledAt: transfer.cancelledAt?.toISOString() ?? null,
  };
}
