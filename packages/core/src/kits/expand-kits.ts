import { allocate } from '../allocation/allocate.js';
import type {
  AllocatableStock,
  AllocatableWarehouse,
  Allocation,
  AllocationLine,
  AllocationOptions,
} from '../allocation/allocation-plan.js';
import type { Shortfall } from '../errors/insufficient-stock-error.js';
import { type Kit, kitUnitsAvailable, kitUnitsByWarehouse } from './kit.js';

/** A requested line after kit expansion: a stocked SKU, and the kit it is a component of. */
export interface ExpandedLine extends AllocationLine {
  /** The kit the units are components of; absent for a plain item. */
  readonly kitSku?: string;
}

/** A planned line: units of a SKU from one warehouse, and the kit they are components of. */
export interface PlannedLine extends Allocation {
  /** The kit the units are components of; absent for plain units. */
  readonly kitSku?: string;
}

/** The expansion: component lines to allocate, or the kits no warehouse can fill. */
export type KitExpansion =
  | { readonly kind: 'lines'; readonly lines: readonly ExpandedLine[] }
  | { readonly kind: 'shortfall'; readonly shortfalls: readonly Shortfall[] };

/** The SKUs whose stock rows a request's plan reads: plain SKUs and every kit's components. */
export function stockedSkus(
  items: readonly { readonly sku: string }[],
  kits: ReadonlyMap<string, Kit>,
): string[] {
  const skus = new Set<string>();
  for (const item of items) {
    const kit = kits.get(item.sku);
    if (!kit) skus.add(item.sku);
    else for (const component of kit.components) skus.add(component.sku);
  }
  return [...skus];
}

/**
 * Expands the kit items of a request into component lines (the one place kits become stock).
 * `SPLIT` kits become one line per component (pinned where the item is). A `SINGLE_WAREHOUSE`
 * kit's units are first placed in warehouses that can fill whole kit units — by the request's
 * strategy, over what earlier kit items of the request left — and become component lines pinned
 * there; a kit no set of warehouses can fill that way is short (its shortfall names the kit,
 * `available` the kit units the warehouses could fill). Plain items are kept as they are, so
 * every unit of a SKU, plain or component, is summed by the allocation that follows.
 *
 * @param rows - the sellable view of the component rows
 */
export function expandKits(
  items: readonly AllocationLine[],
  kits: ReadonlyMap<string, Kit>,
  rows: readonly AllocatableStock[],
  warehouses: readonly AllocatableWarehouse[],
  options: AllocationOptions,
): KitExpansion {
  const lines: ExpandedLine[] = [];
  const shortfalls: Shortfall[] = [];
  // Units of (sku@warehouse) already promised to earlier single-warehouse kit items.
  const promised = new Map<string, number>();
  for (const item of items) {
    const kit = kits.get(item.sku);
    if (!kit) {
      lines.push(item);
      continue;
    }
    const pin = item.warehouseId === undefined ? {} : { warehouseId: item.warehouseId };
    if (kit.shipping === 'SPLIT') {
      for (const component of kit.components) {
        lines.push({
          sku: component.sku,
          quantity: item.quantity * component.quantity,
          ...pin,
          kitSku: kit.sku,
        });
      }
      continue;
    }
    const supply = rows
      .filter((row) => kit.components.some((component) => component.sku === row.sku))
      .map((row) => ({
        ...row,
        available: row.available - (promised.get(`${row.sku}\u0000${row.warehouseId}`) ?? 0),
      }));
    const units = kitUnitsByWarehouse(kit, supply);
    const placed = allocate(
      [{ sku: kit.sku, quantity: item.quantity, ...pin }],
      [...units].map(([warehouseId, available]) => ({ sku: kit.sku, warehouseId, available })),
      warehouses,
      options,
    );
    if (placed.kind === 'shortfall') {
      const allowed = (id: string) =>
        (item.warehouseId === undefined || id === item.warehouseId) &&
        warehouses.some(
          (warehouse) =>
            warehouse.id === id &&
            warehouse.status === 'ACTIVE' &&
            (!options.warehouseIds || options.warehouseIds.has(id)),
        );
      shortfalls.push({
        sku: kit.sku,
        requested: item.quantity,
        available: kitUnitsAvailable(kit, supply, allowed),
        ...pin,
      });
      continue;
    }
    for (const allocation of placed.allocations) {
      for (const component of kit.components) {
        const quantity = allocation.quantity * component.quantity;
        const key = `${component.sku}\u0000${allocation.warehouseId}`;
        promised.set(key, (promised.get(key) ?? 0) + quantity);
        lines.push({
          sku: component.sku,
          quantity,
          warehouseId: allocation.warehouseId,
          kitSku: kit.sku,
        });
      }
    }
  }
  return shortfalls.length > 0 ? { kind: 'shortfall', shortfalls } : { kind: 'lines', lines };
}

/**
 * Splits an allocation (merged per (sku, warehouse)) back over the expanded lines, so each kit's
 * component units become lines of their own: pinned lines take their warehouse's units first,
 * unpinned ones the rest in request order. Lines of one (sku, warehouse, kit) are merged;
 * the order is the allocation's, plain units before kit units.
 */
export function attributeKits(
  lines: readonly ExpandedLine[],
  allocations: readonly Allocation[],
): PlannedLine[] {
  const left = new Map(allocations.map((allocation) => [key(allocation), allocation.quantity]));
  const taken = new Map<string, number>();
  const take = (sku: string, warehouseId: string, kitSku: string | undefined, quantity: number) => {
    const slot = key({ sku, warehouseId });
    left.set(slot, (left.get(slot) ?? 0) - quantity);
    const line = `${slot}\u0001${kitSku ?? ''}`;
    taken.set(line, (taken.get(line) ?? 0) + quantity);
  };
  for (const line of lines) {
    if (line.warehouseId !== undefined)
      take(line.sku, line.warehouseId, line.kitSku, line.quantity);
  }
  for (const line of lines) {
    if (line.warehouseId !== undefined) continue;
    let need = line.quantity;
    for (const allocation of allocations) {
      if (need === 0) break;
      if (allocation.sku !== line.sku) continue;
      const share = Math.min(need, left.get(key(allocation)) ?? 0);
      if (share <= 0) continue;
      take(line.sku, allocation.warehouseId, line.kitSku, share);
      need -= share;
    }
  }
  const planned: PlannedLine[] = [];
  for (const allocation of allocations) {
    const prefix = `${key(allocation)}\u0001`;
    const kitsHere = [...taken].filter(([line]) => line.startsWith(prefix));
    kitsHere.sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0));
    for (const [line, quantity] of kitsHere) {
      const kitSku = line.slice(prefix.length);
      planned.push({
        sku: allocation.sku,
        warehouseId: allocation.warehouseId,
        quantity,
        ...(kitSku === '' ? {} : { kitSku }),
      });
    }
  }
  return planned;
}

function key(line: { readonly sku: string; readonly warehouseId: string }): string {
  return `${line.sku}\u0000${line.warehouseId}`;
}
