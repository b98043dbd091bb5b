import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { importStockCsv } from '../src/stock-csv.js';
import { createWarehouses, openSqlite, workspace } from './support.js';

describe('import with an expectedQuantity column (the bulk update compare)', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  it('a row whose level moved since the file was written is reported VERSION_CONFLICT and left alone', async () => {
    const { dir, cleanup } = await workspace();
    cleanups.push(cleanup);
    const stockroom = await openSqlite(join(dir, 'stockroom.db'));
    cleanups.push(() => stockroom.close());
    await createWarehouses(stockroom, ['east']);
    for (const [sku, quantity] of [
      ['A', 10],
      ['B', 5],
    ] as const) {
      await stockroom.adjustments.adjust({ sku, warehouseId: 'east', type: 'RESTOCK', quantity });
    }
    // A sale after the file was written: A is now 7.
    await stockroom.adjustments.adjust({
      sku: 'A',
      warehouseId: 'east',
      type: 'ADJUSTMENT',
      quantity: -3,
    });
    const file = join(dir, 'levels.csv');
    await writeFile(
      file,
      'sku,warehouseId,available,expectedQuantity\nA,east,20,10\nB,east,8,5\nC,east,1,\nD,east,1,x\n',
    );

    const dry = await importStockCsv(stockroom, file, { dryRun: true });
    expect(dry).toMatchObject({ rows: 4, applied: 2, failed: 2 });

    const result = await importStockCsv(stockroom, file);
    expect(result).toMatchObject({ rows: 4, applied: 2, failed: 2 });
    const report = (await readFile(result.errorsFile!, 'utf8')).trim().split('\n');
    expect(
      report
        .slice(1)
        .map((line) => line.split(',').slice(0, 4))
        .sort(),
    ).toEqual([
      ['2', 'A', 'east', 'VERSION_CONFLICT'],
      ['5', 'D', 'east', 'VALIDATION_FAILED'],
    ]);
    const rows = await stockroom.store.reads.stockBySkus(['A', 'B', 'C']);
    expect(rows.map((row) => [row.sku, row.available, row.version])).toEqual([
      ['A', 7, 2],
      ['B', 8, 2],
      ['C', 1, 1],
    ]);
  });
});
