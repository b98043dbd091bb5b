export { allocate } from './allocate.js';
export {
  ALLOCATION_STRATEGIES,
  type AllocatableStock,
  type AllocatableWarehouse,
  type Allocation,
  type AllocationLine,
  type AllocationOptions,
  type AllocationPlan,
  type AllocationResult,
  type AllocationShortfall,
  type AllocationStrategy,
  type GeoPoint,
} from './allocation-plan.js';
export { distanceKm } from './haversine.js';
