import {
  ALLOCATION_STRATEGIES,
  type AllocationStrategy,
  type CartCheckResult,
} from '@stockroom/core';
import { Id, numberIn, Quantity } from './common.js';
import { z } from './zod.js';

const Count = z.number().int().min(0);

/** POST /inventory/check-cart: the fields of a reservation that decide its allocation. */
export const CheckCartBody = z
  .strictObject({
    items: z
      .array(
        z.strictObject({
          sku: Id,
          quantity: Quantity,
          warehouseId: Id.optional().openapi({ description: 'Pins the item to one warehouse' }),
        }),
      )
      .min(1)
      .max(100)
      .openapi({
        description: 'The cart; items of one SKU are summed, as a reservation sums them',
      }),
    strategy: z
      .enum(ALLOCATION_STRATEGIES as [AllocationStrategy, ...AllocationStrategy[]])
      .optional(),
    location: z
      .strictObject({ latitude: numberIn(-90, 90), longitude: numberIn(-180, 180) })
      .optional()
      .openapi({ description: "The customer's location, for the nearest strategy" }),
  })
  .openapi('CheckCart');

const AllocationSchema = z.strictObject({
  sku: Id,
  warehouseId: Id,
  quantity: Quantity,
  backordered: Count.openapi({
    description: 'Units of quantity a reservation would take as backordered (0: all held)',
  }),
});
const ShortfallSchema = z.strictObject({
  sku: Id,
  warehouseId: Id.optional().openapi({ description: 'Set for a line pinned to one warehouse' }),
  requested: Quantity,
  available: Count,
});

/** The answer to a whole-cart check. */
export const CartCheckSchema = z
  .strictObject({
    isAvailable: z.boolean().openapi({
      description:
        'A reservation of the whole cart would be admitted now (with backordered units where a SKU allows them)',
    }),
    lines: z.array(
      z.strictObject({
        sku: Id,
        requestedQuantity: Quantity,
        availableQuantity: Count.openapi({
          description: 'Units a reservation could take now, over ACTIVE warehouses',
        }),
        isAvailable: z.boolean().openapi({
          description: 'The SKU could be held now, none of it backordered',
        }),
        backorderedQuantity: Count.openapi({
          description: 'Units of this SKU a reservation would take as backordered',
        }),
        allocations: z.array(AllocationSchema),
        shortfalls: z.array(ShortfallSchema),
      }),
    ),
    allocations: z.array(AllocationSchema).openapi({
      description: "The reservation's lines if it were made now; empty when it would be refused",
    }),
    shortfalls: z.array(ShortfallSchema).openapi({
      description: 'What a reservation would be refused with (INSUFFICIENT_STOCK shortfalls)',
    }),
  })
  .openapi('CartCheck');

/** The API view of a cart check (row versions left out, as in the single-SKU check). */
export function presentCartCheck(result: CartCheckResult): z.infer<typeof CartCheckSchema> {
  const allocation = ({
    sku,
    warehouseId,
    quantity,
    backordered,
  }: CartCheckResult['allocations'][number]) => ({ sku, warehouseId, quantity, backordered });
  const shortfall = ({
    sku,
    warehouseId,
    requested,
    available,
  }: CartCheckResult['shortfalls'][number]) => ({
    sku,
    ...(warehouseId === undefined ? {} : { warehouseId }),
    requested,
    available,
  });
  return {
    isAvailable: result.isAvailable,
    lines: result.lines.map((line) => ({
      sku: line.sku,
      requestedQuantity: line.requestedQuantity,
      availableQuantity: line.availableQuantity,
      isAvailable: line.isAvailable,
      backorderedQuantity: line.backorderedQuantity,
      allocations: line.allocations.map(allocation),
      shortfalls: line.shortfalls.map(shortfall),
    })),
    allocations: result.allocations.map(allocation),
    shortfalls: result.shortfalls.map(shortfall),
  };
}
