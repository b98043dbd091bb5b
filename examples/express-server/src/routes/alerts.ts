import type { Stockroom } from '@stockroom/core';
import {
  AlertListQuery,
  AlertPageSchema,
  AlertParams,
  AlertSchema,
  presentAlert,
  SuggestionListSchema,
  SuggestionQuery,
} from '../schemas/alert.js';
import { EmptyBody } from '../schemas/reservation.js';
import { ADMIN, ANY_ROLE, defineRoute, type Route } from './define-route.js';

/** /alerts and /replenishment. */
export function alertRoutes({ stockroom }: { stockroom: Stockroom }): Route[] {
  return [
    defineRoute({
      operationId: 'listAlerts',
      method: 'get',
      path: '/alerts',
      tag: 'Alerts and replenishment',
      summary: 'Low-stock alerts, newest first',
      roles: ANY_ROLE,
      query: AlertListQuery,
      success: { status: 200, description: 'A page of alerts', schema: AlertPageSchema },
      failures: [],
      async handle({ query }) {
        const { status, ...page } = query;
        const result = await stockroom.alerts.list(status === undefined ? {} : { status }, page);
        return { items: result.items.map(presentAlert), nextCursor: result.nextCursor };
      },
    }),
    defineRoute({
      operationId: 'acknowledgeAlert',
      method: 'post',
      path: '/alerts/:id/acknowledge',
      tag: 'Alerts and replenishment',
      summary: 'Acknowledge a low-stock alert',
      roles: ADMIN,
      params: AlertParams,
      body: EmptyBody,
      success: { status: 200, description: 'The ACKNOWLEDGED alert', schema: AlertSchema },
      failures: ['NOT_FOUND', 'INVALID_STATE'],
      async handle({ params }, call) {
        return presentAlert(
          await stockroom.alerts.acknowledge(params.id, call.principal.actor, call.change),
        );
      },
    }),
    defineRoute({
      operationId: 'replenishmentSuggestions',
      method: 'get',
      path: '/replenishment/suggestions',
      tag: 'Alerts and replenishment',
      summary: 'What to reorder: rows at or below their reorder point, with demand and cover',
      roles: ANY_ROLE,
      query: SuggestionQuery,
      success: { status: 200, description: 'The suggestions', schema: SuggestionListSchema },
      failures: [],
      async handle({ query }) {
        const items = await stockroom.replenishment.suggestions(
          query.warehouseId === undefined ? {} : { warehouseId: query.warehouseId },
        );
        return {
          items: items.map((item) => ({
            sku: item.sku,
            warehouseId: item.warehouseId,
            available: item.available,
            inTransit: item.inTransit,
            reorderPoint: item.reorderPoint,
            dailyDemand: item.dailyDemand,
            daysOfCover: item.daysOfCover,
            suggestedQuantity: item.suggestedQuantity,
          })),
        };
      },
    }),
  ];
}
