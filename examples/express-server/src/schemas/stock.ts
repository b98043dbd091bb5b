import {
  ADJUSTMENT_TYPES,
  type AdjustmentType,
  type InventoryStock,
  MAX_QUANTITY,
  type Movement,
  MovementType,
  type SkuStock,
} from '@stockroom/core';
import { StockDisplaySchema } from './channel.js';
import {
  Id,
  integerIn,
  integerQuery,
  numberQuery,
  OptionalTimestamp,
  PagingQuery,
  pageOf,
  Quantity,
  Timestamp,
} from './common.js';
import { KitAvailabilitySchema } from './kit.js';
import { z } from './zod.js';

const Count = z.number().int().min(0);

/** One stock row (a SKU in a warehouse). */
export const StockSchema = z
  .strictObject({
    sku: Id,
    warehouseId: Id,
    available: Count,
    reserved: Count,
    damaged: Count,
    inTransit: Count,
    backordered: Count.openapi({
      description:
        'Units reservations took beyond what was sellable, waiting for a restock (not in total)',
    }),
    total: Count,
    lowStockThreshold: Count,
    reorderPoint: Count,
    maxStockLevel: Count.nullable(),
    safetyStock: Count.openapi({
      description:
        'Units of available never sold: checks and reservations see available − safetyStock',
    }),
    version: Count.openapi({ description: 'Counts the movements applied; use as expectedVersion' }),
    lastRestockedAt: OptionalTimestamp,
    lastSoldAt: OptionalTimestamp,
    updatedAt: Timestamp,
  })
  .openapi('Stock');

/** A stock row response body. */
export type StockBody = z.infer<typeof StockSchema>;

const Buckets = z.strictObject({
  available: z.number().int(),
  reserved: z.number().int(),
  damaged: z.number().int(),
  inTransit: z.number().int(),
  backordered: z.number().int(),
});

/** One ledger movement. */
export const MovementSchema = z
  .strictObject({
    id: z.string(),
    sku: Id,
    warehouseId: Id,
    type: z.enum(Object.values(MovementType) as [MovementType, ...MovementType[]]),
    deltas: Buckets.openapi({ description: 'Signed change per bucket' }),
    after: Buckets.openapi({ description: 'The quantities after the change' }),
    reservationId: z.string().nullable(),
    orderId: z.string().nullable(),
    transferId: z.string().nullable(),
    reason: z.string().nullable(),
    actor: z.string().nullable(),
    createdAt: Timestamp,
  })
  .openapi('Movement');

/** A movement response body. */
export type MovementBody = z.infer<typeof MovementSchema>;

/** A SKU's totals over every warehouse, with its rows. */
export const SkuStockSchema = z
  .strictObject({
    sku: Id,
    available: Count,
    reserved: Count,
    damaged: Count,
    inTransit: Count,
    backordered: Count,
    total: Count,
    warehouses: z.array(StockSchema),
  })
  .openapi('SkuStock');

/** GET /inventory/check query. */
export const CheckQuery = z
  .strictObject({
    sku: Id,
    quantity: integerQuery(1, MAX_QUANTITY),
    latitude: numberQuery(-90, 90).optional(),
    longitude: numberQuery(-180, 180).optional(),
    channelId: Id.optional().openapi({
      description: "Only this sales channel's warehouses (a bound key: its own, or 403)",
    }),
    preorderable: z.enum(['true', 'false']).optional().openapi({
      description:
        'true: also answer `preorderable` (units the open receipts may still promise, and the earliest date), available or not; one more store read',
    }),
  })
  .superRefine((query, context) => {
    if ((query.latitude === undefined) !== (query.longitude === undefined)) {
      context.addIssue({
        code: 'custom',
        path: [query.latitude === undefined ? 'latitude' : 'longitude'],
        message: 'latitude and longitude go together',
      });
    }
  });

/** The availability answer. */
export const AvailabilitySchema = z
  .strictObject({
    sku: Id,
    requestedQuantity: Quantity,
    isAvailable: z.boolean(),
    wouldBackorder: z.boolean().openapi({
      description:
        'Not available, but a reservation of requestedQuantity would be admitted with backordered units (the SKU’s policy is CONTINUE)',
    }),
    backorderedQuantity: Count.optional().openapi({
      description:
        'The units a reservation would backorder (exact answers only: a display strategy shows wouldBackorder alone)',
    }),
    availableQuantity: Count.nullable().openapi({
      description: 'At most the cap under a `capped` display strategy; null under `levels`',
    }),
    display: StockDisplaySchema.optional().openapi({
      description: 'Present when a sales channel or a display strategy applies',
    }),
    channelId: Id.optional().openapi({ description: 'The channel the answer is limited to' }),
    kit: KitAvailabilitySchema.optional(),
    preorder: z
      .strictObject({
        quantity: Count.openapi({ description: 'Units a reservation would preorder' }),
        expectedAt: Timestamp.openapi({ description: 'When the last of them is expected' }),
      })
      .optional()
      .openapi({
        description:
          'Present when the missing units would be preordered from incoming receipts (exact display only)',
      }),
    preorderable: z
      .strictObject({
        quantity: Count.openapi({
          description: 'Units of the open receipts neither received nor promised yet',
        }),
        earliestExpectedAt: Timestamp.openapi({
          description: 'When the earliest receipt with such units is expected',
        }),
      })
      .optional()
      .openapi({
        description:
          'With ?preorderable=true, when the SKU allows preorders and its open receipts still have units to promise, whether or not the quantity is available now (exact display only)',
      }),
    warehouses: z.array(
      z.strictObject({
        warehouseId: Id,
        warehouseName: z.string(),
        availableQuantity: Count.nullable(),
        distanceKm: z.number().optional(),
        display: StockDisplaySchema.optional(),
      }),
    ),
  })
  .openapi('Availability');

/** `:sku`. */
export const SkuParams = z.strictObject({ sku: Id });

/** GET /inventory/:sku query. */
export const SkuStockQuery = z.strictObject({
  asOf: z.iso
    .datetime({ offset: true })
    .optional()
    .openapi({ description: 'Rebuild the quantities at this instant from the ledger' }),
});

const Signed = integerIn(-MAX_QUANTITY, MAX_QUANTITY);

/** POST /inventory/adjust. */
export const AdjustBody = z
  .strictObject({
    sku: Id,
    warehouseId: Id,
    type: z.enum(ADJUSTMENT_TYPES as [AdjustmentType, ...AdjustmentType[]]).openapi({
      description:
        'RESTOCK (+available; creates the row), RETURN (+available), DAMAGE (available → damaged), ADJUSTMENT (signed correction of available), WRITE_OFF (damaged → gone; needs a reason), RESTORE (damaged → available)',
    }),
    quantity: Signed.openapi({
      description: 'Positive; signed and non-zero for ADJUSTMENT',
    }),
    reason: z.string().min(1).max(500).optional(),
    expectedVersion: integerIn(0, Number.MAX_SAFE_INTEGER).optional(),
  })
  .superRefine((body, context) => {
    if (body.type === 'ADJUSTMENT' ? body.quantity === 0 : body.quantity < 1) {
      context.addIssue({
        code: 'custom',
        path: ['quantity'],
        message:
          body.type === 'ADJUSTMENT'
            ? 'must be a non-zero integer'
            : `must be an integer from 1 to ${MAX_QUANTITY}`,
      });
    }
  })
  .openapi('Adjust');

/** The result of an adjustment. */
export const AdjustResultSchema = z
  .strictObject({ stock: StockSchema, movement: MovementSchema })
  .openapi('AdjustResult');

/** `:sku/warehouses/:warehouseId`. */
export const StockKeyParams = z.strictObject({ sku: Id, warehouseId: Id });

/** PUT …/settings. */
export const SettingsBody = z
  .strictObject({
    lowStockThreshold: integerIn(0, MAX_QUANTITY).optional(),
    reorderPoint: integerIn(0, MAX_QUANTITY).optional(),
    safetyStock: integerIn(0, MAX_QUANTITY)
      .optional()
      .openapi({ description: 'Units of available never sold (checks and reservations)' }),
    maxStockLevel: z
      .number()
      .int()
      .min(0)
      .max(MAX_QUANTITY)
      .nullable()
      .optional()
      .openapi({ description: 'null removes the limit' }),
  })
  .openapi('StockSettings');

/** `:warehouseId`. */
export const WarehouseIdParams = z.strictObject({ warehouseId: Id });

/** Paging only. */
export const PageQuery = z.strictObject({ ...PagingQuery });

/** A page of stock rows. */
export const StockPageSchema = pageOf(StockSchema, 'StockPage');

/** The most items one bulk update may carry. */
export const MAX_BULK_ITEMS = 10_000;

const bulkItem = (quantity: z.ZodNumber) =>
  z.strictObject({
    sku: Id,
    warehouseId: Id,
    quantity,
    expectedQuantity: integerIn(0, MAX_QUANTITY).optional().openapi({
      description:
        'Compare-and-set: the available the row must hold now (a missing row holds 0); otherwise this item fails with VERSION_CONFLICT and its row is left as it was',
    }),
  });

/** POST /inventory/bulk-update. */
export const BulkUpdateBody = z
  .discriminatedUnion('mode', [
    z.strictObject({
      mode: z.literal('set').openapi({ description: 'Write available to quantity (0 allowed)' }),
      atomic: z.boolean().optional(),
      items: z
        .array(bulkItem(integerIn(0, MAX_QUANTITY)))
        .min(1)
        .max(MAX_BULK_ITEMS),
    }),
    z.strictObject({
      mode: z.literal('delta').openapi({ description: 'Add a signed non-zero quantity' }),
      atomic: z.boolean().optional(),
      items: z
        .array(
          bulkItem(
            Signed.refine((value) => value !== 0, { message: 'must be a non-zero integer' }),
          ),
        )
        .min(1)
        .max(MAX_BULK_ITEMS),
    }),
  ])
  .openapi('BulkUpdate');

/** The result of a bulk update. */
export const BulkResultSchema = z
  .strictObject({
    applied: Count,
    failed: z.array(z.strictObject({ index: Count, code: z.string(), detail: z.string() })),
  })
  .openapi('BulkUpdateResult');

/** GET /inventory/low-stock query. */
export const LowStockQuery = z.strictObject({ warehouseId: Id.optional() });

/** `{ items: Stock[] }`. */
export const StockListSchema = z.strictObject({ items: z.array(StockSchema) }).openapi('StockList');

/** GET /inventory/:sku/movements query. */
export const MovementQuery = z.strictObject({ warehouseId: Id.optional(), ...PagingQuery });

/** A page of movements. */
export const MovementPageSchema = pageOf(MovementSchema, 'MovementPage');

const iso = (value: Date | null) => (value === null ? null : value.toISOString());

/** The API shape of a stock row. */
export function presentStock(row: InventoryStock): StockBody {
  return {
    sku: row.sku,
    warehouseId: row.warehouseId,
    available: row.available,
    reserved: row.reserved,
    damaged: row.damaged,
    inTransit: row.inTransit,
    backordered: row.backordered,
    total: row.total,
    lowStockThreshold: row.lowStockThreshold,
    reorderPoint: row.reorderPoint,
    maxStockLevel: row.maxStockLevel,
    safetyStock: row.safetyStock,
    version: row.version,
    lastRestockedAt: iso(row.lastRestockedAt),
    lastSoldAt: iso(row.lastSoldAt),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** The API shape of a movement. */
export function presentMovement(movement: Movement): MovementBody {
  const buckets = (value: Movement['deltas']) => ({
    available: value.available,
    reserved: value.reserved,
    damaged: value.damaged,
    inTransit: value.inTransit,
    backordered: value.backordered,
  });
  return {
    id: movement.id,
    sku: movement.sku,
    warehouseId: movement.warehouseId,
    type: movement.type,
    deltas: buckets(movement.deltas),
    after: buckets(movement.after),
    reservationId: movement.reservationId,
    orderId: movement.orderId,
    transferId: movement.transferId,
    reason: movement.reason,
    actor: movement.actor,
    createdAt: movement.createdAt.toISOString(),
  };
}

/** The API shape of a SKU's totals. */
export function presentSkuStock(stock: SkuStock): z.infer<typeof SkuStockSchema> {
  return {
    sku: stock.sku,
    available: stock.available,
    reserved: stock.reserved,
    damaged: stock.damaged,
    inTransit: stock.inTransit,
    backordered: stock.backordered,
    total: stock.total,
    warehouses: stock.warehouses.map(presentStock),
  };
}
