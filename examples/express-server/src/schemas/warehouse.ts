import type { WarehouseWithOccupancy } from '@stockroom/core';
import { WarehouseStatus } from '@stockroom/core';
import { Id, integerIn, numberIn, PagingQuery, pageOf } from './common.js';
import { z } from './zod.js';

const Status = z.enum([
  WarehouseStatus.ACTIVE,
  WarehouseStatus.INACTIVE,
  WarehouseStatus.MAINTENANCE,
]);

/** A warehouse as the API shows it. */
export const WarehouseSchema = z
  .strictObject({
    id: Id,
    code: z.string(),
    name: z.string(),
    city: z.string().nullable(),
    country: z.string().nullable(),
    latitude: z.number().nullable(),
    longitude: z.number().nullable(),
    capacity: z
      .number()
      .int()
      .nullable()
      .openapi({ description: 'Most units it may hold; null for no limit' }),
    status: Status,
    priority: z
      .number()
      .int()
      .openapi({ description: 'Lower is preferred by the priority strategy' }),
    occupancy: z.number().int().openapi({ description: 'Sum of `total` of its stock rows' }),
  })
  .openapi('Warehouse');

/** A warehouse response body. */
export type WarehouseBody = z.infer<typeof WarehouseSchema>;

const fields = {
  name: z.string().trim().min(1).max(200),
  code: Id.optional(),
  city: z.string().max(200).nullable().optional(),
  country: z.string().max(64).nullable().optional(),
  latitude: numberIn(-90, 90).nullable().optional(),
  longitude: numberIn(-180, 180).nullable().optional(),
  capacity: integerIn(0, Number.MAX_SAFE_INTEGER).nullable().optional(),
  status: Status.optional(),
  priority: integerIn(-1_000_000, 1_000_000).optional(),
};

/** POST /warehouses. */
export const CreateWarehouseBody = z.strictObject({ id: Id, ...fields }).openapi('CreateWarehouse');

/** PATCH /warehouses/:id: any subset of the POST fields but `id`. */
export const UpdateWarehouseBody = z
  .strictObject({ ...fields, name: fields.name.optional() })
  .openapi('UpdateWarehouse');

/** `:id` of a warehouse. */
export const WarehouseParams = z.strictObject({ id: Id });

/** GET /warehouses query. */
export const WarehouseListQuery = z.strictObject({ ...PagingQuery });

/** A page of warehouses. */
export const WarehousePageSchema = pageOf(WarehouseSchema, 'WarehousePage');

/** The API shape of a warehouse. */
export function presentWarehouse(warehouse: WarehouseWithOccupancy): WarehouseBody {
  return {
    id: warehouse.id,
    code: warehouse.code,
    name: warehouse.name,
    city: warehouse.city,
    country: warehouse.country,
    latitude: warehouse.latitude,
    longitude: warehouse.longitude,
    capacity: warehouse.capacity,
    status: warehouse.status,
    priority: warehouse.priority,
    occupancy: warehouse.occupancy,
  };
}
