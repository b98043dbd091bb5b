import {
  type DisplayStrategy,
  MAX_CHANNEL_WAREHOUSES,
  MAX_DISPLAY_THRESHOLD,
  type SalesChannel,
  StockLevel,
} from '@stockroom/core';
import { Id, integerIn, Timestamp } from './common.js';
import { z } from './zod.js';

/** A display strategy, in bodies and answers. */
export const DisplayStrategySchema = z
  .discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('exact') }),
    z.strictObject({
      kind: z.literal('capped'),
      cap: integerIn(1, MAX_DISPLAY_THRESHOLD).openapi({
        description: 'Quantities above it show as `cap` with `text` "<cap>+"',
      }),
    }),
    z.strictObject({
      kind: z.literal('levels'),
      lowStockAt: integerIn(0, MAX_DISPLAY_THRESHOLD)
        .default(0)
        .openapi({ description: 'At or below it (and above 0) the level is LOW_STOCK' }),
    }),
  ])
  .openapi('DisplayStrategy', {
    description: 'exact numbers, numbers capped at N ("10+"), or levels only',
  });

/** A sales channel as the API shows it. */
export const ChannelSchema = z
  .strictObject({
    id: Id,
    name: z.string(),
    warehouseIds: z.array(Id).openapi({ description: 'Sorted, without repeats' }),
    display: DisplayStrategySchema,
    version: z.number().int(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .openapi('Channel');

/** A channel response body. */
export type ChannelBody = z.infer<typeof ChannelSchema>;

/** The channel list. */
export const ChannelListSchema = z
  .strictObject({ items: z.array(ChannelSchema), nextCursor: z.null() })
  .openapi('ChannelList');

const fields = {
  name: z.string().trim().min(1).max(200),
  warehouseIds: z
    .array(Id)
    .max(MAX_CHANNEL_WAREHOUSES)
    .openapi({ description: 'The warehouses it sells from; each must exist (else 404)' }),
  display: DisplayStrategySchema.optional().openapi({ description: 'Default `{ kind: "exact" }`' }),
};

/** POST /channels. */
export const CreateChannelBody = z.strictObject({ id: Id, ...fields }).openapi('CreateChannel');

/** PATCH /channels/:id: any subset of the POST fields but `id`. */
export const UpdateChannelBody = z
  .strictObject({
    name: fields.name.optional(),
    warehouseIds: fields.warehouseIds.optional(),
    display: fields.display,
  })
  .openapi('UpdateChannel');

/** GET /channels takes no query parameters (channels are few: one page). */
export const ChannelListQuery = z.strictObject({});

/** `:id` of a channel. */
export const ChannelParams = z.strictObject({ id: Id });

/** A quantity as a display strategy shows it. */
export const StockDisplaySchema = z
  .strictObject({
    strategy: z.enum(['exact', 'capped', 'levels']),
    level: z.enum(Object.values(StockLevel) as [StockLevel, ...StockLevel[]]),
    text: z.string().openapi({ example: '10+' }),
    quantity: z.number().int().nullable().openapi({ description: 'null under `levels`' }),
  })
  .openapi('StockDisplay');

function iso(value: Date | string): string {
  return new Date(value).toISOString();
}

function displayBody(strategy: DisplayStrategy): z.infer<typeof DisplayStrategySchema> {
  return strategy.kind === 'exact'
    ? { kind: 'exact' }
    : strategy.kind === 'capped'
      ? { kind: 'capped', cap: strategy.cap }
      : { kind: 'levels', lowStockAt: strategy.lowStockAt };
}

/** A channel (or an idempotent replay of one, whose times are strings) as the API shows it. */
export function presentChannel(channel: SalesChannel): ChannelBody {
  return {
    id: channel.id,
    name: channel.name,
    warehouseIds: [...channel.warehouseIds],
    display: displayBody(channel.display),
    version: channel.version,
    createdAt: iso(channel.createdAt),
    updatedAt: iso(channel.updatedAt),
  };
}
