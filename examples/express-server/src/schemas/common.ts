import { ID_RULE, isValidId, MAX_ID_LENGTH, MAX_PAGE_LIMIT, MAX_QUANTITY } from '@stockroom/core';
import { PROBLEM_TYPES } from '../problem-details.js';
import { z } from './zod.js';

/**
 * A SKU or an id: 1–128 printable characters of well-formed Unicode, no leading or trailing
 * space — the core's rule ({@link isValidId}) and its one message, whatever the miss.
 */
export const Id = z
  .string({ error: ID_RULE })
  .min(1, { error: ID_RULE })
  .max(MAX_ID_LENGTH, { error: ID_RULE })
  .refine(isValidId, { error: ID_RULE, abort: true })
  .openapi({ example: 'SKU-1' });

/** An integer in [min, max], with one clear message for every way to miss. */
export function integerIn(min: number, max: number) {
  const message = `must be an integer from ${min} to ${max}`;
  return z
    .number({ error: message })
    .int({ error: message })
    .min(min, { error: message })
    .max(max, { error: message });
}

/** A number in [min, max]. */
export function numberIn(min: number, max: number) {
  const message = `must be a number from ${min} to ${max}`;
  return z.number({ error: message }).min(min, { error: message }).max(max, { error: message });
}

/** A quantity: an integer from 1 to 1,000,000,000. */
export const Quantity = integerIn(1, MAX_QUANTITY).openapi({ example: 5 });

/** An ISO-8601 UTC time, as every response carries times. */
export const Timestamp = z.iso.datetime().openapi({ example: '2026-01-01T12:00:00.000Z' });

/** An ISO-8601 time or null. */
export const OptionalTimestamp = Timestamp.nullable();

const integerText = /^-?[0-9]{1,16}$/;
const decimalText = /^-?[0-9]{1,16}(\.[0-9]{1,16})?$/;

/** A query parameter holding an integer in [min, max]. Only plain digits are accepted. */
export function integerQuery(min: number, max: number) {
  return z.preprocess(
    (value) => (typeof value === 'string' && integerText.test(value) ? Number(value) : value),
    integerIn(min, max),
  );
}

/** A query parameter holding a decimal number in [min, max]. */
export function numberQuery(min: number, max: number) {
  return z.preprocess(
    (value) => (typeof value === 'string' && decimalText.test(value) ? Number(value) : value),
    numberIn(min, max),
  );
}

/** `limit` and `cursor` of every listing. */
export const PagingQuery = {
  limit: integerQuery(1, MAX_PAGE_LIMIT)
    .optional()
    .openapi({ description: 'Page size, 1–1000 (default 100)' }),
  cursor: z
    .string()
    .min(1)
    .max(1024)
    .optional()
    .openapi({ description: 'The `nextCursor` of the previous page' }),
};

/** `{ items, nextCursor }` of `item`. */
export function pageOf<T extends z.ZodType>(item: T, name: string) {
  return z
    .strictObject({
      items: z.array(item),
      nextCursor: z
        .string()
        .nullable()
        .openapi({ description: 'Pass as `cursor` for the next page; null on the last page' }),
    })
    .openapi(name);
}

/** An RFC 9457 problem body. */
export const ProblemSchema = z
  .object({
    type: z.string().openapi({ example: '/docs#problem-insufficient-stock' }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.enum(Object.keys(PROBLEM_TYPES) as [string, ...string[]]),
    instance: z.string().optional(),
    errors: z
      .array(z.strictObject({ path: z.string(), message: z.string() }))
      .optional()
      .openapi({ description: 'VALIDATION_FAILED: each invalid field' }),
    shortfalls: z
      .array(
        z.strictObject({
          sku: z.string(),
          requested: z.number().int(),
          available: z.number().int().optional().openapi({
            description: 'Capped for a key shown capped numbers; absent for one shown levels',
          }),
          level: z
            .enum(['IN_STOCK', 'LOW_STOCK', 'OUT_OF_STOCK'])
            .optional()
            .openapi({ description: 'For a key shown levels only' }),
        }),
      )
      .optional()
      .openapi({ description: 'INSUFFICIENT_STOCK: what each short line lacked' }),
    failed: z
      .array(z.strictObject({ index: z.number().int(), code: z.string(), detail: z.string() }))
      .optional()
      .openapi({ description: 'Atomic bulk update: every item that failed' }),
    cartLimit: z
      .strictObject({
        sku: z.string(),
        limit: z.enum(['MIN', 'MAX']),
        value: z.number().int(),
        requested: z.number().int(),
      })
      .optional()
      .openapi({
        description: 'CART_LIMIT_EXCEEDED: the SKU, the limit it breaks and what was asked',
      }),
  })
  .openapi('Problem');
