import { type EffectiveSkuPolicy, MAX_QUANTITY } from '@stockroom/core';
import { Id, integerIn, OptionalTimestamp } from './common.js';
import { z } from './zod.js';

const Limit = integerIn(1, MAX_QUANTITY).nullable();

const BackorderPolicyField = z.enum(['DENY', 'CONTINUE']).openapi({
  description:
    '`CONTINUE`: a reservation may go beyond what is sellable, the excess waits as backordered units filled by restocks; `DENY`: refused with 409 `INSUFFICIENT_STOCK`',
});

/** A SKU's effective selling policy. */
export const SkuPolicySchema = z
  .strictObject({
    sku: Id,
    minPerCart: z.number().int().nullable().openapi({ description: 'null: no minimum' }),
    maxPerCart: z.number().int().nullable().openapi({ description: 'null: no maximum' }),
    allowPreorder: z.boolean().openapi({
      description: 'Reservations may take units of open incoming receipts once none are sellable',
    }),
    backorderPolicy: BackorderPolicyField,
    backorderLimit: z
      .number()
      .int()
      .nullable()
      .openapi({ description: 'The most backordered units per stock row; null: no limit' }),
    stored: z
      .boolean()
      .openapi({ description: 'false: the SKU has no policy of its own and the defaults apply' }),
    version: z.number().int().min(0).openapi({ description: '0 when no policy is stored' }),
    updatedAt: OptionalTimestamp,
  })
  .openapi('SkuPolicy');

/** PUT /inventory/:sku/policy. An omitted limit keeps its current value. */
export const SkuPolicyBody = z
  .strictObject({
    minPerCart: Limit.optional().openapi({
      description: 'Units per reservation, at least; null: none',
    }),
    maxPerCart: Limit.optional().openapi({
      description: 'Units per reservation, at most; null: none',
    }),
    allowPreorder: z.boolean().optional().openapi({
      description: 'Let reservations preorder from open incoming receipts (omitted: unchanged)',
    }),
    backorderPolicy: BackorderPolicyField.optional(),
    backorderLimit: integerIn(0, MAX_QUANTITY).nullable().optional().openapi({
      description: 'The most backordered units per stock row; null: no limit',
    }),
    expectedVersion: integerIn(0, Number.MAX_SAFE_INTEGER)
      .optional()
      .openapi({ description: 'Compare-and-set: the version read (0: no policy yet)' }),
  })
  .openapi('SkuPolicyUpdate');

/** The API shape of a policy. */
export function presentSkuPolicy(policy: EffectiveSkuPolicy): z.infer<typeof SkuPolicySchema> {
  return {
    sku: policy.sku,
    minPerCart: policy.minPerCart,
    maxPerCart: policy.maxPerCart,
    allowPreorder: policy.allowPreorder,
    backorderPolicy: policy.backorderPolicy,
    backorderLimit: policy.backorderLimit,
    stored: policy.stored,
    version: policy.version,
    updatedAt: policy.updatedAt === null ? null : policy.updatedAt.toISOString(),
  };
}
