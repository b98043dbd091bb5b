import { distanceKm } from '../allocation/haversine.js';
import { regionalTier } from '../allocation/regional-preference.js';
import { isAllocatable, type Warehouse } from '../domain/warehouse.js';
import type { CachedAvailability } from '../ports/availability-cache.js';
import type {
  AvailabilityResult,
  CheckRequest,
  WarehouseAvailability,
} from '../services/availability-service.js';
import {
  type Kit,
  type KitComponent,
  type KitShipping,
  kitUnitsAvailable,
  kitUnitsByWarehouse,
} from './kit.js';

/** What a check of a kit SKU adds to the answer. */
export interface KitAvailability {
  readonly shipping: KitShipping;
  /** Per component: its units per kit, and the kit units its own stock could fill. */
  readonly components: readonly (KitComponent & { readonly kitUnits: number })[];
  /** The `version` of every component row the answer was computed from, by SKU then warehouse. */
  readonly rowVersions: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

/** The answer of a check that named a kit SKU. */
export interface KitAvailabilityResult extends AvailabilityResult {
  /** Set when the SKU is a kit (its `rowVersions` is then empty: see `kit.rowVersions`). */
  readonly kit?: KitAvailability;
}

/**
 * Answers an availability check for a kit from its components' cached availability: each
 * warehouse offers the least, over the components, of `floor(sellable ÷ quantity)`; the kit's
 * `availableQuantity` is the sum of those for a `SINGLE_WAREHOUSE` kit, and the least over the
 * components of `floor(sellable everywhere ÷ quantity)` for a `SPLIT` kit.
 */
export async function checkKit(
  kit: Kit,
  request: CheckRequest,
  sources: {
    readonly rowsOf: (sku: string) => Promise<CachedAvailability>;
    readonly warehouses: readonly Warehouse[];
    readonly channel: ReadonlySet<string> | undefined;
  },
): Promise<KitAvailabilityResult> {
  const byId = new Map(sources.warehouses.map((warehouse) => [warehouse.id, warehouse]));
  const allowed = (id: string) => {
    const warehouse = byId.get(id);
    return (
      warehouse !== undefined &&
      isAllocatable(warehouse) &&
      (!sources.channel || sources.channel.has(id))
    );
  };
  const cached = await Promise.all(
    kit.components.map((component) => sources.rowsOf(component.sku)),
  );
  const supply = cached.flatMap((entry) =>
    entry.rows.map((row) => ({
      sku: entry.sku,
      warehouseId: row.warehouseId,
      available: row.available,
    })),
  );
  const lines: WarehouseAvailability[] = [];
  const tiers = new Map<string, number>();
  for (const [warehouseId, units] of kitUnitsByWarehouse(kit, supply, allowed)) {
    if (units <= 0) continue;
    const warehouse = byId.get(warehouseId)!;
    const distance =
      request.location && warehouse.latitude !== null && warehouse.longitude !== null
        ? distanceKm(request.location, {
            latitude: warehouse.latitude,
            longitude: warehouse.longitude,
          })
        : undefined;
    tiers.set(warehouseId, regionalTier(warehouse, request));
    lines.push({
      warehouseId,
      warehouseName: warehouse.name,
      availableQuantity: units,
      ...(distance === undefined ? {} : { distanceKm: Math.round(distance * 10) / 10 }),
    });
  }
  lines.sort(
    (left, right) =>
      tiers.get(left.warehouseId)! - tiers.get(right.warehouseId)! ||
      (request.location
        ? (left.distanceKm ?? Number.POSITIVE_INFINITY) -
          (right.distanceKm ?? Number.POSITIVE_INFINITY)
        : right.availableQuantity - left.availableQuantity) ||
      (left.warehouseId < right.warehouseId ? -1 : 1),
  );
  const availableQuantity = kitUnitsAvailable(kit, supply, allowed);
  const rowVersions: Record<string, Record<string, number>> = {};
  for (const entry of cached) {
    rowVersions[entry.sku] = Object.fromEntries(
      entry.rows.map((row) => [row.warehouseId, row.version]),
    );
  }
  return {
    sku: request.sku,
    requestedQuantity: request.quantity,
    isAvailable: availableQuantity >= request.quantity,
    availableQuantity,
    backorderedQuantity: 0,
    warehouses: lines,
    rowVersions: {},
    ...(request.channelId === undefined ? {} : { channelId: request.channelId }),
    kit: {
      shipping: kit.shipping,
      components: kit.components.map((component) => ({
        sku: component.sku,
        quantity: component.quantity,
        kitUnits: kitUnitsAvailable(
          { shipping: 'SPLIT', components: [component] },
          supply.filter((row) => row.sku === component.sku),
          allowed,
        ),
      })),
      rowVersions,
    },
  };
}
