import { AlertStatus, type LowStockAlert } from '@stockroom/core';
import { Id, OptionalTimestamp, PagingQuery, pageOf, Timestamp } from './common.js';
import { z } from './zod.js';

const Status = z.enum(Object.values(AlertStatus) as [AlertStatus, ...AlertStatus[]]);

/** A low-stock alert as the API shows it. */
export const AlertSchema = z
  .strictObject({
    id: z.string(),
    sku: Id,
    warehouseId: Id,
    currentQuantity: z.number().int().openapi({ description: '`available` when it fired' }),
    threshold: z.number().int(),
    status: Status,
    triggeredAt: Timestamp,
    acknowledgedAt: OptionalTimestamp,
    acknowledgedBy: z.string().nullable(),
    resolvedAt: OptionalTimestamp,
  })
  .openapi('Alert');

/** An alert response body. */
export type AlertBody = z.infer<typeof AlertSchema>;

/** GET /alerts query. */
export const AlertListQuery = z.strictObject({ status: Status.optional(), ...PagingQuery });

/** A page of alerts. */
export const AlertPageSchema = pageOf(AlertSchema, 'AlertPage');

/** `:id` of an alert. */
export const AlertParams = z.strictObject({ id: Id });

/** GET /replenishment/suggestions query. */
export const SuggestionQuery = z.strictObject({ warehouseId: Id.optional() });

/** One replenishment suggestion. */
export const SuggestionSchema = z
  .strictObject({
    sku: Id,
    warehouseId: Id,
    available: z.number().int(),
    inTransit: z.number().int(),
    reorderPoint: z.number().int(),
    dailyDemand: z.number().openapi({ description: 'Average units sold per day recently' }),
    daysOfCover: z
      .number()
      .nullable()
      .openapi({ description: 'Days the stock lasts at that demand; null without demand' }),
    suggestedQuantity: z.number().int(),
  })
  .openapi('ReplenishmentSuggestion');

/** `{ items: Suggestion[] }`. */
export const SuggestionListSchema = z
  .strictObject({ items: z.array(SuggestionSchema) })
  .openapi('ReplenishmentSuggestions');

/** The API shape of an alert. */
export function presentAlert(alert: LowStockAlert): AlertBody {
  return {
    id: alert.id,
    sku: alert.sku,
    warehouseId: alert.warehouseId,
    currentQuantity: alert.currentQuantity,
    threshold: alert.threshold,
    status: alert.status,
    triggeredAt: alert.triggeredAt.toISOString(),
    acknowledgedAt: alert.acknowledgedAt?.toISOString() ?? null,
    acknowledgedBy: alert.acknowledgedBy,
    resolvedAt: alert.resolvedAt?.toISOString() ?? null,
  };
}
