import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { importStockCsv } from '../src/stock-csv.js';
import { exportStockCsv } from '../src/stock-csv-export.js';
import { createWarehouses, openSqlite, workspace } from './support.js';

describe('import and export of the safetyStock column', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  it('sets safety stock where the column has a value, keeps it where it is empty or absent', async () => {
    const { dir, cleanup } = await workspace();
    cleanups.push(cleanup);
    const stockroom = await openSqlite(join(dir, 'stockroom.db'));
    cleanups.push(() => stockroom.close());
    await createWarehouses(stockroom, ['east']);
    await stockroom.adjustments.adjust({
      sku: 'B',
      warehouseId: 'east',
      type: 'RESTOCK',
      quantity: 5,
    });
    await stockroom.adjustments.updateSettings({ sku: 'B', warehouseId: 'east', safetyStock: 4 });

    const file = join(dir, 'levels.csv');
    await writeFile(
      file,
      'sku,warehouseId,available,safetyStock\nA,east,10,3\nB,east,6,\nC,east,2,0\nD,east,1,-1\nE,east,1,x\n',
    );
    const dry = await importStockCsv(stockroom, file, { dryRun: true });
    expect(dry).toMatchObject({ rows: 5, applied: 3, settingsChanged: 2, failed: 2 });
    const result = await importStockCsv(stockroom, file);
    expect(result).toMatchObject({
      rows: 5,
      applied: 3,
      changed: 3,
      settingsChanged: 2,
      failed: 2,
    });
    const report = (await readFile(result.errorsFile!, 'utf8')).trim().split('\n');
    expect(report.slice(1).map((line) => line.split(',').slice(0, 4))).toEqual([
      ['5', 'D', 'east', 'VALIDATION_FAILED'],
      ['6', 'E', 'east', 'VALIDATION_FAILED'],
    ]);
    const rows = await stockroom.store.reads.stockBySkus(['A', 'B', 'C']);
    expect(rows.map((row) => [row.sku, row.available, row.safetyStock])).toEqual([
      ['A', 10, 3],
      ['B', 6, 4],
      ['C', 2, 0],
    ]);
    // What a check may sell: available less safety stock.
    expect(await stockroom.availability.check({ sku: 'A', quantity: 8 })).toMatchObject({
      isAvailable: false,
      availableQuantity: 7,
    });

    // A file without the column leaves safety stock alone; an export writes it last.
    await writeFile(file, 'sku,warehouseId,available\nA,east,12\n');
    expect(await importStockCsv(stockroom, file)).toMatchObject({ applied: 1, settingsChanged: 0 });
    const chunks: Buffer[] = [];
    const { PassThrough } = await import('node:stream');
    const output = new PassThrough();
    output.on('data', (chunk: Buffer) => chunks.push(chunk));
    expect(await exportStockCsv(stockroom, output)).toBe(3);
    expect(Buffer.concat(chunks).toString('utf8').split('\n').slice(0, 3)).toEqual([
      'sku,warehouseId,available,reserved,damaged,inTransit,lowStockThreshold,reorderPoint,maxStockLevel,safetyStock,backordered',
      'A,east,12,0,0,0,10,20,,3,0',
      'B,east,6,0,0,0,10,20,,4,0',
    ]);
  });
});
