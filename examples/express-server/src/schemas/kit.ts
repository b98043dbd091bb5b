import { KIT_SHIPPING, type Kit, type KitShipping, MAX_KIT_COMPONENTS } from '@stockroom/core';
import { Id, integerIn, Quantity, Timestamp } from './common.js';
import { z } from './zod.js';

const Shipping = z.enum(KIT_SHIPPING as [KitShipping, ...KitShipping[]]).openapi({
  description:
    'SINGLE_WAREHOUSE: every component of one kit unit from one warehouse; SPLIT: from any',
});

const ComponentSchema = z.strictObject({
  sku: Id,
  quantity: Quantity.openapi({ description: 'Units of the component per kit unit' }),
});

/** A kit as the API shows it. */
export const KitSchema = z
  .strictObject({
    sku: Id,
    components: z.array(ComponentSchema).openapi({ description: 'Sorted by SKU' }),
    shipping: Shipping,
    version: z.number().int(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .openapi('Kit');

/** A kit response body. */
export type KitBody = z.infer<typeof KitSchema>;

/** The kit list. */
export const KitListSchema = z
  .strictObject({ items: z.array(KitSchema), nextCursor: z.null() })
  .openapi('KitList');

/** PUT /kits/:sku: the whole definition (creates or replaces). */
export const DefineKitBody = z
  .strictObject({
    components: z
      .array(ComponentSchema)
      .min(1)
      .max(MAX_KIT_COMPONENTS)
      .openapi({ description: 'Each SKU once; none may be a kit or the kit itself' }),
    shipping: Shipping.optional().openapi({ description: 'Default SINGLE_WAREHOUSE' }),
    expectedVersion: integerIn(0, Number.MAX_SAFE_INTEGER)
      .optional()
      .openapi({ description: 'Compare-and-set: the current version (0: must not exist yet)' }),
  })
  .openapi('DefineKit');

/** GET /kits takes no query parameters (kits are few: one page). */
export const KitListQuery = z.strictObject({});

/** `:sku` of a kit. */
export const KitParams = z.strictObject({ sku: Id });

/** The kit part of an availability answer: what the kit is made of. */
export const KitAvailabilitySchema = z
  .strictObject({ shipping: Shipping, components: z.array(ComponentSchema) })
  .openapi('KitAvailability', {
    description:
      'Present when the SKU is a kit: its availability is that of its components (per warehouse the least floor(sellable ÷ quantity))',
  });

function iso(value: Date | string): string {
  return new Date(value).toISOString();
}

/** A kit (or an idempotent replay of one, whose times are strings) as the API shows it. */
export function presentKit(kit: Kit): KitBody {
  return {
    sku: kit.sku,
    components: kit.components.map(({ sku, quantity }) => ({ sku, quantity })),
    shipping: kit.shipping,
    version: kit.version,
    createdAt: iso(kit.createdAt),
    updatedAt: iso(kit.updatedAt),
  };
}

/** The kit part of an availability answer (no component numbers: a display strategy may hide them). */
export function presentKitAvailability(kit: {
  readonly shipping: KitShipping;
  readonly components: readonly { readonly sku: string; readonly quantity: number }[];
}): z.infer<typeof KitAvailabilitySchema> {
  return {
    shipping: kit.shipping,
    components: kit.components.map(({ sku, quantity }) => ({ sku, quantity })),
  };
}
