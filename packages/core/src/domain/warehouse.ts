/** Warehouse states. Only ACTIVE warehouses receive allocations. */
export const WarehouseStatus = {
  ACTIVE: 'ACTIVE',
  INACTIVE: 'INACTIVE',
  MAINTENANCE: 'MAINTENANCE',
} as const;

/** One of the warehouse states. */
export type WarehouseStatus = (typeof WarehouseStatus)[keyof typeof WarehouseStatus];

/** A place that holds stock. */
export interface Warehouse {
  readonly id: string;
  readonly code: string;
  readonly name: string;
  readonly address: string | null;
  readonly city: string | null;
  /** ISO 3166-1 alpha-2 code (or any consistent country key). */
  readonly country: string | null;
  /** A grouping above country, such as `EU` or `US-WEST`, for regional fulfilment. */
  readonly region: string | null;
  readonly latitude: number | null;
  readonly longitude: number | null;
  /** The most units (sum of its rows' `total`) it may hold; `null` for no limit. */
  readonly capacity: number | null;
  readonly status: WarehouseStatus;
  /** Lower numbers are preferred by the `priority` strategy. */
  readonly priority: number;
  readonly version: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** True when the warehouse may receive allocations. */
export function isAllocatable(warehouse: Warehouse): boolean {
  return warehouse.status === WarehouseStatus.ACTIVE;
}
