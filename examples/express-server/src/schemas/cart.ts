import {
  type CartCheckResult,
  type DisplayStrategy,
  displayQuantity,
  StockLevel,
} from '@stockroom/core';
import { StockDisplaySchema } from './channel.js';
import { Id, Quantity, Timestamp } from './common.js';
import { HoldItems, Location, Strategy } from './reservation.js';
import { z } from './zod.js';

const Count = z.number().int().min(0);

/** POST /inventory/check-cart: the fields of a reservation that decide its allocation. */
export const CheckCartBody = z
  .strictObject({
    items: HoldItems.openapi({
      description: 'The cart; items of one SKU are summed, as a reservation sums them',
    }),
    strategy: Strategy,
    location: Location,
    channelId: Id.optional().openapi({
      description:
        "See and plan from this sales channel's warehouses only, as a reservation in it would (a bound key: its own, or 403)",
    }),
  })
  .openapi('CheckCart');

const AllocationSchema = z.strictObject({
  sku: Id,
  warehouseId: Id,
  quantity: Quantity,
  kitSku: Id.optional().openapi({
    description: 'The kit these units are components of (absent for plain units)',
  }),
  backordered: Count.optional().openapi({
    description: 'Units of quantity a reservation would take as backordered (absent: all held)',
  }),
});
const ShortfallSchema = z.strictObject({
  sku: Id,
  warehouseId: Id.optional().openapi({ description: 'Set for a line pinned to one warehouse' }),
  requested: Quantity,
  available: Count.optional().openapi({
    description: 'Capped under a `capped` display strategy; absent under `levels`',
  }),
  level: z
    .enum(Object.values(StockLevel) as [StockLevel, ...StockLevel[]])
    .optional()
    .openapi({ description: 'Under a `levels` display strategy, instead of `available`' }),
});

/** Units a reservation would preorder from one incoming receipt. */
const PreorderSchema = z
  .strictObject({
    sku: Id,
    warehouseId: Id,
    quantity: Quantity,
    receiptId: z.string(),
    expectedAt: Timestamp,
  })
  .openapi('CartPreorder');

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
        availableQuantity: Count.nullable().openapi({
          description:
            'Units a reservation could take now, over ACTIVE warehouses (of the channel); capped under a `capped` display strategy, null under `levels`',
        }),
        display: StockDisplaySchema.optional().openapi({
          description: 'Present when a sales channel or a display strategy applies',
        }),
        isAvailable: z.boolean().openapi({
          description: 'The SKU could be held now, none of it backordered',
        }),
        backorderedQuantity: Count.openapi({
          description: 'Units of this SKU a reservation would take as backordered',
        }),
        allocations: z.array(AllocationSchema),
        shortfalls: z.array(ShortfallSchema),
        preorders: z.array(PreorderSchema),
      }),
    ),
    allocations: z.array(AllocationSchema).openapi({
      description: "The reservation's lines if it were made now; empty when it would be refused",
    }),
    shortfalls: z.array(ShortfallSchema).openapi({
      description: 'What a reservation would be refused with (INSUFFICIENT_STOCK shortfalls)',
    }),
    channelId: Id.optional().openapi({ description: 'The channel the answer is limited to' }),
    preorders: z.array(PreorderSchema).openapi({
      description:
        'What a reservation would preorder from incoming receipts (SKUs that allow preorders, once nothing is sellable)',
    }),
  })
  .openapi('CartCheck');

/**
 * The API view of a cart check (row versions left out, as in the single-SKU check). Under a
 * display strategy (a storefront's channel or key) every stock quantity is shown through it:
 * `availableQuantity` and each shortfall's `available` are capped, or replaced by a level.
 */
export function presentCartCheck(
  result: CartCheckResult,
  display?: DisplayStrategy,
): z.infer<typeof CartCheckSchema> {
  const allocation = ({
    sku,
    warehouseId,
    quantity,
    kitSku,
    backordered,
  }: CartCheckResult['allocations'][number]) => ({
    sku,
    warehouseId,
    quantity,
    // As in a reservation's allocations: present only when units would wait for a restock.
    ...(backordered > 0 ? { backordered } : {}),
    ...(kitSku === undefined ? {} : { kitSku }),
  });
  const shortfall = ({
    sku,
    warehouseId,
    requested,
    available,
  }: CartCheckResult['shortfalls'][number]) => {
    const shown = display ? displayQuantity(available, display) : undefined;
    return {
      sku,
      ...(warehouseId === undefined ? {} : { warehouseId }),
      requested,
      ...(shown === undefined
        ? { available }
        : shown.quantity === null
          ? { level: shown.level }
          : { available: shown.quantity }),
    };
  };
  const preorder = (line: CartCheckResult['preorders'][number]) => ({
    sku: line.sku,
    warehouseId: line.warehouseId,
    quantity: line.quantity,
    receiptId: line.receiptId,
    expectedAt: line.expectedAt.toISOString(),
  });
  return {
    isAvailable: result.isAvailable,
    lines: result.lines.map((line) => ({
      sku: line.sku,
      requestedQuantity: line.requestedQuantity,
      ...(display
        ? (() => {
            const shown = displayQuantity(line.availableQuantity, display);
            return { availableQuantity: shown.quantity, display: shown };
          })()
        : { availableQuantity: line.availableQuantity }),
      isAvailable: line.isAvailable,
      backorderedQuantity: line.backorderedQuantity,
      allocations: line.allocations.map(allocation),
      shortfalls: line.shortfalls.map(shortfall),
      preorders: line.preorders.map(preorder),
    })),
    allocations: result.allocations.map(allocation),
    shortfalls: result.shortfalls.map(shortfall),
    ...(result.channelId === undefined ? {} : { channelId: result.channelId }),
    preorders: result.preorders.map(preorder),
  };
}
