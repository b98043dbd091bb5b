import type { Shortfall } from '../errors/insufficient-stock-error.js';

/** How lines are spread over warehouses. */
export type AllocationStrategy = 'nearest' | 'fewest-shipments' | 'priority' | 'most-available';

/** The strategies, for validation and docs. */
export const ALLOCATION_STRATEGIES: readonly AllocationStrategy[] = [
  'nearest',
  'fewest-shipments',
  'priority',
  'most-available',
];

/** A point on Earth, in degrees. */
export interface GeoPoint {
  readonly latitude: number;
  readonly longitude: number;
}

/** One requested line. */
export interface AllocationLine {
  readonly sku: string;
  readonly quantity: number;
  /** Pins the line to one warehouse. */
  readonly warehouseId?: string;
}

/** What allocation knows of a stock row: only what it needs. */
export interface AllocatableStock {
  readonly sku: string;
  readonly warehouseId: string;
  readonly available: number;
}

/** What allocation knows of a warehouse. */
export interface AllocatableWarehouse {
  readonly id: string;
  readonly status: string;
  readonly latitude: number | null;
  readonly longitude: number | null;
  readonly priority: number;
  readonly country: string | null;
  readonly region: string | null;
}

/** Options of one allocation. */
export interface AllocationOptions {
  /** @default 'nearest' when a location is given, else 'priority' */
  readonly strategy?: AllocationStrategy;
  /** The customer's location, for `nearest` and for distance ordering. */
  readonly location?: GeoPoint;
  /**
   * Regional fulfilment: warehouses whose `country` (then `region`) matches are tried before any
   * other, whatever the strategy; others are used only for what the home ones cannot fill.
   */
  readonly preferCountry?: string;
  readonly preferRegion?: string;
  /**
   * Only these warehouses may be used (a sales channel's); rows in others are ignored as if
   * their warehouse were not ACTIVE. @default every warehouse
   */
  readonly warehouseIds?: ReadonlySet<string>;
}

/** One allocated part of the plan. */
export interface Allocation {
  readonly sku: string;
  readonly warehouseId: string;
  readonly quantity: number;
}

/** Every line can be filled: the allocations, merged per (sku, warehouseId). */
export interface AllocationPlan {
  readonly kind: 'plan';
  readonly allocations: readonly Allocation[];
}

/** Some line cannot be filled: what each short SKU lacked. Nothing is allocated. */
export interface AllocationShortfall {
  readonly kind: 'shortfall';
  readonly shortfalls: readonly Shortfall[];
}

/** The result of `allocate`. */
export type AllocationResult = AllocationPlan | AllocationShortfall;
