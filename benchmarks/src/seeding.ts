import type { Stockroom } from '@stockroom/core';

/** One stock level to import. */
export interface SeedItem {
  readonly sku: string;
  readonly warehouseId: string;
  readonly quantity: number;
}

/** The bulk import the core offers (`adjustments.bulkUpdate`), declared so an older build still runs. */
interface BulkCapable {
  bulkUpdate(request: {
    readonly mode: 'set';
    readonly atomic: boolean;
    readonly items: readonly SeedItem[];
  }): Promise<{
    readonly applied: number;
    readonly failed: readonly {
      readonly index: number;
      readonly code: string;
      readonly detail: string;
    }[];
  }>;
}

/** True when this build of the core has `adjustments.bulkUpdate`. */
export function hasBulkUpdate(stockroom: Stockroom): boolean {
  return typeof (stockroom.adjustments as Partial<BulkCapable>).bulkUpdate === 'function';
}

/**
 * Sets `available` of many rows: one `adjustments.bulkUpdate({ mode: 'set', atomic: false })`
 * when the core has it, else a loop over `adjustments.setAvailable` (`concurrency` at a time).
 * @returns how it was done, for the report
 * @throws when any item failed
 */
export async function setStockLevels(
  stockroom: Stockroom,
  items: readonly SeedItem[],
  concurrency = 16,
): Promise<'bulkUpdate' | 'setAvailable loop'> {
  if (hasBulkUpdate(stockroom)) {
    const result = await (stockroom.adjustments as unknown as BulkCapable).bulkUpdate({
      mode: 'set',
      atomic: false,
      items,
    });
    if (result.failed.length > 0) {
      const first = result.failed[0]!;
      throw new Error(
        `bulkUpdate failed for ${result.failed.length} item(s); first: items[${first.index}] ${first.code} ${first.detail}`,
      );
    }
    return 'bulkUpdate';
  }
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await stockroom.adjustments.setAvailable(item);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return 'setAvailable loop';
}

/** Creates warehouses `wh-1` … `wh-n`, all ACTIVE. */
export async function createWarehouses(stockroom: Stockroom, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let index = 1; index <= count; index += 1) {
    const id = `wh-${index}`;
    await stockroom.warehouses.create({ id, name: `Warehouse ${index}`, priority: index });
    ids.push(id);
  }
  return ids;
}

/** A SKU name with a fixed width, so SKUs sort in numeric order. */
export function skuName(prefix: string, index: number): string {
  return `${prefix}-${String(index).padStart(6, '0')}`;
}
