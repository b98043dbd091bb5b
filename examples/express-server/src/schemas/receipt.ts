import { type IncomingReceipt, ReceiptStatus } from '@stockroom/core';
import { Id, OptionalTimestamp, PagingQuery, pageOf, Quantity, Timestamp } from './common.js';
import { z } from './zod.js';

const Status = z.enum(Object.values(ReceiptStatus) as [ReceiptStatus, ...ReceiptStatus[]]);
const Count = z.number().int().min(0);

/** An incoming receipt as the API shows it. */
export const ReceiptSchema = z
  .strictObject({
    id: z.string(),
    sku: Id,
    warehouseId: Id,
    quantity: Quantity.openapi({ description: 'Units expected in all' }),
    receivedQuantity: Count.openapi({ description: 'Units received so far' }),
    preorderedQuantity: Count.openapi({
      description: 'Units promised to ACTIVE reservations and not received yet',
    }),
    expectedAt: Timestamp,
    reference: z.string().nullable().openapi({ description: 'Purchase order or ASN number' }),
    status: Status,
    createdAt: Timestamp,
    receivedAt: OptionalTimestamp.openapi({ description: 'When units were last received' }),
    cancelledAt: OptionalTimestamp,
  })
  .openapi('Receipt');

/** A receipt response body. */
export type ReceiptBody = z.infer<typeof ReceiptSchema>;

/** POST /receipts. */
export const CreateReceiptBody = z
  .strictObject({
    sku: Id,
    warehouseId: Id,
    quantity: Quantity,
    expectedAt: z.iso
      .datetime({ offset: true })
      .openapi({ description: 'When the units are expected', example: '2027-01-15T00:00:00Z' }),
    reference: Id.optional().openapi({ description: 'Purchase order or ASN number' }),
  })
  .openapi('CreateReceipt');

/** POST /receipts/:id/receive: none, or the units received now. */
export const ReceiveBody = z
  .strictObject({
    quantity: Quantity.optional().openapi({
      description: 'Units received now (default: every unit still expected)',
    }),
  })
  .optional()
  .openapi('ReceiveReceipt');

/** `:id` of a receipt. */
export const ReceiptParams = z.strictObject({ id: Id });

/** GET /receipts query. */
export const ReceiptListQuery = z.strictObject({
  sku: Id.optional(),
  warehouseId: Id.optional(),
  status: Status.optional(),
  ...PagingQuery,
});

/** A page of receipts. */
export const ReceiptPageSchema = pageOf(ReceiptSchema, 'ReceiptPage');

/** The API shape of a receipt. */
export function presentReceipt(receipt: IncomingReceipt): ReceiptBody {
  return {
    id: receipt.id,
    sku: receipt.sku,
    warehouseId: receipt.warehouseId,
    quantity: receipt.quantity,
    receivedQuantity: receipt.receivedQuantity,
    preorderedQuantity: receipt.preorderedQuantity,
    expectedAt: receipt.expectedAt.toISOString(),
    reference: receipt.reference,
    status: receipt.status,
    createdAt: receipt.createdAt.toISOString(),
    receivedAt: receipt.receivedAt?.toISOString() ?? null,
    cancelledAt: receipt.cancelledAt?.toISOString() ?? null,
  };
}
