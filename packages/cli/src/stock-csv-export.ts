// `stockroom export`: every stock row (or one warehouse's) as CSV.
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { type InventoryStock, MAX_PAGE_LIMIT, type Stockroom } from '@stockroom/core';
import { stringify } from 'csv-stringify';
import type { Progress } from './progress.js';

/**
 * The columns `export` writes, in order; `import` reads `sku`, `warehouseId`, `available` and the
 * settings (`backordered`, last, is what reservations wait for: read-only, like `reserved`).
 */
export const STOCK_CSV_COLUMNS = [
  'sku',
  'warehouseId',
  'available',
  'reserved',
  'damaged',
  'inTransit',
  'lowStockThreshold',
  'reorderPoint',
  'maxStockLevel',
  'safetyStock',
  'backordered',
] as const;

/** Options of {@link exportStockCsv}. */
export interface ExportOptions {
  /** Only this warehouse's rows. */
  readonly warehouseId?: string;
  readonly progress?: Progress;
  /** End `output` when done (false for stdout). @default true */
  readonly closeOutput?: boolean;
}

/**
 * Writes every stock row (or one warehouse's) as CSV, sorted by (sku, warehouseId), page by
 * page. `maxStockLevel` is empty for "no limit". Returns the number of rows written.
 */
export async function exportStockCsv(
  stockroom: Stockroom,
  output: Writable,
  options: ExportOptions = {},
): Promise<number> {
  const csv = stringify({ header: true, columns: [...STOCK_CSV_COLUMNS] });
  const closeOutput = options.closeOutput ?? true;
  csv.pipe(output, { end: closeOutput });
  let count = 0;
  let cursor: string | null = null;
  do {
    const page: { items: readonly InventoryStock[]; nextCursor: string | null } =
      options.warehouseId === undefined
        ? await stockroom.store.reads.allStock({ limit: MAX_PAGE_LIMIT, cursor })
        : await stockroom.store.reads.stockByWarehouse(options.warehouseId, {
            limit: MAX_PAGE_LIMIT,
            cursor,
          });
    for (const row of page.items) {
      const written = csv.write([
        row.sku,
        row.warehouseId,
        row.available,
        row.reserved,
        row.damaged,
        row.inTransit,
        row.lowStockThreshold,
        row.reorderPoint,
        row.maxStockLevel ?? '',
        row.safetyStock,
        row.backordered,
      ]);
      count += 1;
      if (!written) await once(csv, 'drain');
    }
    options.progress?.update({ done: count });
    cursor = page.nextCursor;
  } while (cursor);
  csv.end();
  await finished(csv);
  if (closeOutput) await finished(output);
  options.progress?.finish({ done: count });
  return count;
}
