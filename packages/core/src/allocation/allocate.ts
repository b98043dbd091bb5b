import { WarehouseStatus } from '../domain/warehouse.js';
import type { Shortfall } from '../errors/insufficient-stock-error.js';
import type {
  AllocatableStock,
  AllocatableWarehouse,
  Allocation,
  AllocationLine,
  AllocationOptions,
  AllocationResult,
  AllocationStrategy,
  GeoPoint,
} from './allocation-plan.js';
import { groupByRegionalTier } from './regional-preference.js';
import { chooseFewestShipments, type WarehouseSupply } from './strategies/fewest-shipments.js';
import { orderByMostAvailable } from './strategies/most-available.js';
import { compareByDistanceFrom, orderByNearest } from './strategies/nearest.js';
import { comparePriority, orderByPriority } from './strategies/priority.js';
import { compareIds, type WarehouseCandidate } from './strategies/warehouse-candidate.js';

/** Units per SKU, then per warehouse id. */
type Ledger = Map<string, Map<string, number>>;

/**
 * Plans where each requested line is taken from. Pure and deterministic: no I/O, no clock, and
 * every tie is broken by warehouse id ascending.
 *
 * - Only `ACTIVE` warehouses are used (and, with `options.warehouseIds`, only those); stock rows in other or unknown warehouses, and rows with
 *   `available <= 0`, are ignored. Rows repeating a (sku, warehouseId) are added together.
 * - Lines of the same SKU are summed before availability is judged. Pinned lines
 *   (`warehouseId`) are summed per (sku, warehouseId) and take only from that warehouse;
 *   unpinned lines take what the pinned ones left, spread by the strategy.
 * - All or nothing: if anything is short, the result lists every shortfall (one per short SKU,
 *   plus one per short pinned (sku, warehouseId)) and allocates nothing.
 * - Strategies: `nearest` (greedy by distance from `options.location`; `priority` order without
 *   one), `priority`, `most-available` (greedy, per SKU) and `fewest-shipments` (the whole
 *   unpinned order from as few warehouses as possible, by greedy set cover).
 * - `preferCountry` / `preferRegion`: matching warehouses (country, then region) are used before
 *   any other, keeping the strategy's order inside each tier.
 *
 * Callers validate input: quantities are positive integers.
 *
 * @param lines - the requested lines
 * @param stock - candidate stock rows
 * @param warehouses - the warehouses the rows may name
 * @param options - strategy, customer location and regional preference
 * @returns a plan merged per (sku, warehouseId) and sorted by both, or the shortfalls sorted by
 *   sku (the unpinned entry before pinned ones), then warehouseId
 *
 * @example
 * ```ts
 * const result = allocate([{ sku: 'MUG', quantity: 3 }], stock, warehouses, {
 *   location: { latitude: 48.8566, longitude: 2.3522 },
 * });
 * if (result.kind === 'shortfall') throw new InsufficientStockError(result.shortfalls);
 * ```
 */
export function allocate(
  lines: readonly AllocationLine[],
  stock: readonly AllocatableStock[],
  warehouses: readonly AllocatableWarehouse[],
  options: AllocationOptions = {},
): AllocationResult {
  const active = new Map<string, AllocatableWarehouse>();
  const allowed = options.warehouseIds;
  for (const warehouse of warehouses) {
    if (warehouse.status === WarehouseStatus.ACTIVE && (!allowed || allowed.has(warehouse.id)))
      active.set(warehouse.id, warehouse);
  }

  const remaining: Ledger = new Map();
  for (const row of stock) {
    if (row.available > 0 && active.has(row.warehouseId)) {
      addTo(remaining, row.sku, row.warehouseId, row.available);
    }
  }

  const pinned: Ledger = new Map();
  const unpinned = new Map<string, number>();
  for (const line of lines) {
    if (line.warehouseId === undefined) {
      unpinned.set(line.sku, (unpinned.get(line.sku) ?? 0) + line.quantity);
    } else {
      addTo(pinned, line.sku, line.warehouseId, line.quantity);
    }
  }

  const allocations: Allocation[] = [];
  const shortfalls: Shortfall[] = [];

  // Pinned lines first: unpinned ones of the same SKU only get what the pins leave.
  for (const [sku, byWarehouse] of pinned) {
    for (const [warehouseId, requested] of byWarehouse) {
      const available = remaining.get(sku)?.get(warehouseId) ?? 0;
      const taken = Math.min(requested, available);
      if (taken < requested) shortfalls.push({ sku, warehouseId, requested, available });
      if (taken > 0) {
        allocations.push({ sku, warehouseId, quantity: taken });
        remaining.get(sku)?.set(warehouseId, available - taken);
      }
    }
  }

  // Strategies only order warehouses, so whether unpinned lines fit depends on totals alone.
  for (const [sku, requested] of unpinned) {
    let available = 0;
    for (const units of remaining.get(sku)?.values() ?? []) available += units;
    if (requested > available) shortfalls.push({ sku, requested, available });
  }

  if (shortfalls.length > 0) {
    return { kind: 'shortfall', shortfalls: shortfalls.sort(compareShortfalls) };
  }

  const strategy = options.strategy ?? (options.location === undefined ? 'priority' : 'nearest');
  const spread =
    strategy === 'fewest-shipments'
      ? allocateFewestShipments(unpinned, remaining, active, options)
      : allocateGreedily(unpinned, remaining, active, strategy, options);
  return { kind: 'plan', allocations: mergeAllocations([...allocations, ...spread]) };
}

function allocateGreedily(
  demand: ReadonlyMap<string, number>,
  remaining: Ledger,
  active: ReadonlyMap<string, AllocatableWarehouse>,
  strategy: Exclude<AllocationStrategy, 'fewest-shipments'>,
  options: AllocationOptions,
): Allocation[] {
  const allocations: Allocation[] = [];
  for (const [sku, requested] of demand) {
    const candidates: WarehouseCandidate[] = [];
    for (const [warehouseId, available] of remaining.get(sku) ?? []) {
      const warehouse = active.get(warehouseId);
      if (warehouse !== undefined && available > 0) candidates.push({ warehouse, available });
    }
    const ordered = orderFor(strategy, candidates, options.location);
    let wanted = requested;
    for (const tier of groupByRegionalTier(ordered, (candidate) => candidate.warehouse, options)) {
      for (const { warehouse, available } of tier) {
        if (wanted === 0) break;
        const taken = Math.min(wanted, available);
        allocations.push({ sku, warehouseId: warehouse.id, quantity: taken });
        wanted -= taken;
      }
    }
  }
  return allocations;
}

function orderFor(
  strategy: Exclude<AllocationStrategy, 'fewest-shipments'>,
  candidates: readonly WarehouseCandidate[],
  location: GeoPoint | undefined,
): WarehouseCandidate[] {
  switch (strategy) {
    case 'nearest':
      return orderByNearest(candidates, location);
    case 'most-available':
      return orderByMostAvailable(candidates);
    case 'priority':
      return orderByPriority(candidates);
  }
}

function allocateFewestShipments(
  demand: ReadonlyMap<string, number>,
  remaining: Ledger,
  active: ReadonlyMap<string, AllocatableWarehouse>,
  options: AllocationOptions,
): Allocation[] {
  if (demand.size === 0) return [];
  const supplies = new Map<string, Map<string, number>>();
  for (const sku of demand.keys()) {
    for (const [warehouseId, available] of remaining.get(sku) ?? []) {
      if (available > 0) addTo(supplies, warehouseId, sku, available);
    }
  }
  const candidates = [...supplies.keys()].flatMap((id) => {
    const warehouse = active.get(id);
    return warehouse === undefined ? [] : [warehouse];
  });
  const compare =
    options.location === undefined ? comparePriority : compareByDistanceFrom(options.location);
  const tiers = groupByRegionalTier(candidates.sort(compare), (warehouse) => warehouse, options);
  return chooseFewestShipments(
    demand,
    tiers.map((tier) =>
      tier.map(
        (warehouse): WarehouseSupply => ({
          warehouseId: warehouse.id,
          available: supplies.get(warehouse.id) ?? new Map(),
        }),
      ),
    ),
  );
}

function addTo(ledger: Ledger, outer: string, inner: string, units: number): void {
  let byInner = ledger.get(outer);
  if (byInner === undefined) {
    byInner = new Map();
    ledger.set(outer, byInner);
  }
  byInner.set(inner, (byInner.get(inner) ?? 0) + units);
}

function mergeAllocations(allocations: readonly Allocation[]): Allocation[] {
  if (allocations.length === 1) {
    // The common one-line plan: nothing to merge or sort.
    const { sku, warehouseId, quantity } = allocations[0]!;
    return quantity > 0 ? [{ sku, warehouseId, quantity }] : [];
  }
  const merged: Ledger = new Map();
  for (const { sku, warehouseId, quantity } of allocations) {
    if (quantity > 0) addTo(merged, sku, warehouseId, quantity);
  }
  return [...merged]
    .flatMap(([sku, byWarehouse]) =>
      [...byWarehouse].map(([warehouseId, quantity]) => ({ sku, warehouseId, quantity })),
    )
    .sort((a, b) => compareIds(a.sku, b.sku) || compareIds(a.warehouseId, b.warehouseId));
}

function compareShortfalls(a: Shortfall, b: Shortfall): number {
  if (a.sku !== b.sku) return compareIds(a.sku, b.sku);
  if (a.warehouseId === undefined) return b.warehouseId === undefined ? 0 : -1;
  if (b.warehouseId === undefined) return 1;
  return compareIds(a.warehouseId, b.warehouseId);
}
