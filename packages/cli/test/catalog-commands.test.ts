import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWarehouses, openSqlite, stockroom, workspace } from './support.js';

describe('stockroom policy, kits and backordered units (SQLite)', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const database = () => join(dir, 'data', 'stockroom.db');
  const cli = (...args: string[]) => stockroom(args, { cwd: dir });

  beforeAll(async () => {
    ({ dir, cleanup } = await workspace());
    expect((await cli('migrate', '--json')).code).toBe(0);
    const store = await openSqlite(database());
    await createWarehouses(store, ['east', 'west']);
    await store.close();
  });
  afterAll(() => cleanup());

  it('policy show and set: backorders, limit, preorders and cart limits', async () => {
    const defaults = await cli('policy', 'show', 'BO', '--json');
    expect(defaults.code).toBe(0);
    expect(JSON.parse(defaults.stdout)).toEqual({
      sku: 'BO',
      stored: false,
      allowPreorder: false,
      backorderPolicy: 'DENY',
      backorderLimit: null,
      minPerCart: null,
      maxPerCart: null,
      version: 0,
      updatedAt: null,
    });

    const set = await cli(
      'policy',
      'set',
      'BO',
      '--backorders',
      'CONTINUE',
      '--backorder-limit',
      '5',
      '--max-per-cart',
      '10',
      '--json',
    );
    expect(set.code, set.stderr).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({
      sku: 'BO',
      stored: true,
      backorderPolicy: 'CONTINUE',
      backorderLimit: 5,
      allowPreorder: false,
      minPerCart: null,
      maxPerCart: 10,
      version: 1,
    });

    // What is not given keeps its value; `none` clears a limit.
    const changed = await cli('policy', 'set', 'BO', '--backorder-limit', 'none', '--preorders');
    expect(changed.code, changed.stderr).toBe(0);
    expect(changed.stdout).toContain('backorders       CONTINUE');
    expect(changed.stdout).toContain('backorder limit  none');
    expect(changed.stdout).toContain('preorders        allowed');
    expect(changed.stdout).toContain('max per cart     10');
    const store = await openSqlite(database());
    expect(await store.skuPolicies.get('BO')).toMatchObject({
      backorderPolicy: 'CONTINUE',
      backorderLimit: null,
      allowPreorder: true,
      maxPerCart: 10,
      version: 2,
    });
    await store.close();

    expect((await cli('policy', 'set', 'BO', '--backorders', 'MAYBE')).code).toBe(2);
    expect((await cli('policy', 'set', 'BO', '--backorder-limit', '-1')).code).toBe(2);
  });

  it('stock and export show backordered units; reconcile reports a backordered bucket it cannot repair', async () => {
    const store = await openSqlite(database());
    await store.adjustments.adjust({
      sku: 'BO',
      warehouseId: 'east',
      type: 'RESTOCK',
      quantity: 1,
    });
    await store.reservations.reserve({ items: [{ sku: 'BO', quantity: 4, warehouseId: 'east' }] });
    await store.close();

    const shown = await cli('stock', 'BO', '--json');
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({
      sku: 'BO',
      warehouses: [{ warehouseId: 'east', available: 0, reserved: 1, backordered: 3, total: 1 }],
      available: 0,
      reserved: 1,
      backordered: 3,
      total: 1,
    });
    const text = await cli('stock', 'BO');
    expect(text.stdout.split('\n').slice(1)).toEqual([
      'warehouse  available  reserved  damaged  inTransit  backordered  total',
      'east               0         1        0          0            3      1',
      'all                0         1        0          0            3      1',
      '',
    ]);

    expect((await cli('export', '-o', 'levels.csv')).code).toBe(0);
    const csv = (await readFile(join(dir, 'levels.csv'), 'utf8')).split('\n');
    expect(csv[0]!.endsWith(',safetyStock,backordered')).toBe(true);
    expect(csv[1]).toBe('BO,east,0,1,0,0,10,20,,0,3');

    expect((await cli('reconcile', '--json')).code).toBe(0);
    // One more backordered unit than any line waits for, behind the store's back.
    const db = new Database(database());
    db.prepare("UPDATE stock SET backordered = backordered + 1 WHERE sku = 'BO'").run();
    db.close();
    const found = await cli('reconcile', '--json');
    expect(found.code).toBe(3);
    expect(JSON.parse(found.stdout).discrepancies).toEqual([
      {
        sku: 'BO',
        warehouseId: 'east',
        kind: 'ledger',
        bucket: 'backordered',
        stored: 4,
        expected: 3,
      },
      {
        sku: 'BO',
        warehouseId: 'east',
        kind: 'backordered',
        bucket: 'backordered',
        stored: 4,
        expected: 3,
      },
    ]);
    // The repair explains the number in the ledger; the waiting lines still disagree.
    const repaired = await cli('reconcile', '--repair');
    expect(repaired.code).toBe(3);
    expect(repaired.stdout).toContain('checked 1 rows: 2 discrepancies, 1 repaired');
    const again = await cli('reconcile', '--json');
    expect(again.code).toBe(3);
    expect(JSON.parse(again.stdout)).toMatchObject({
      discrepancies: [{ kind: 'backordered', stored: 4, expected: 3 }],
      receiptDiscrepancies: [],
    });
  });

  it('kits define, list, show and delete', async () => {
    const defined = await cli(
      'kits',
      'define',
      'GIFT',
      '--component',
      'MUG=2',
      '--component',
      'TEA',
      '--shipping',
      'SPLIT',
      '--json',
    );
    expect(defined.code, defined.stderr).toBe(0);
    expect(JSON.parse(defined.stdout)).toMatchObject({
      sku: 'GIFT',
      shipping: 'SPLIT',
      components: [
        { sku: 'MUG', quantity: 2 },
        { sku: 'TEA', quantity: 1 },
      ],
      version: 1,
    });
    const replaced = await cli('kits', 'define', 'GIFT', '--component', 'MUG=3');
    expect(replaced.code, replaced.stderr).toBe(0);
    expect(replaced.stdout.split('\n')).toEqual([
      'defined GIFT (shipping SINGLE_WAREHOUSE, version 2)',
      'component  quantity',
      'MUG               3',
      '',
    ]);
    const listed = await cli('kits', 'list');
    expect(listed.stdout.split('\n')).toEqual([
      'kit   shipping          components  version',
      'GIFT  SINGLE_WAREHOUSE  MUG=3             2',
      '',
    ]);
    const store = await openSqlite(database());
    await store.adjustments.adjust({
      sku: 'MUG',
      warehouseId: 'west',
      type: 'RESTOCK',
      quantity: 7,
    });
    expect(await store.availability.check({ sku: 'GIFT', quantity: 2 })).toMatchObject({
      isAvailable: true,
      availableQuantity: 2,
    });
    await store.close();

    // A stocked SKU cannot be a kit; a malformed component is a usage error.
    const stocked = await cli('kits', 'define', 'MUG', '--component', 'TEA=1', '--json');
    expect(stocked.code).toBe(1);
    expect(JSON.parse(stocked.stderr)).toMatchObject({ error: 'KIT_NOT_STOCKABLE' });
    expect((await cli('kits', 'define', 'X', '--component', 'MUG=0')).code).toBe(2);
    expect((await cli('kits', 'define', 'X')).code).toBe(2);

    const deleted = await cli('kits', 'delete', 'GIFT', '--json');
    expect(deleted.code).toBe(0);
    expect(JSON.parse(deleted.stdout)).toMatchObject({ sku: 'GIFT' });
    expect(JSON.parse((await cli('kits', 'list', '--json')).stdout)).toEqual({ kits: [] });
    const missing = await cli('kits', 'show', 'GIFT', '--json');
    expect(missing.code).toBe(4);
    expect(JSON.parse(missing.stdout)).toEqual({ error: 'NOT_FOUND', sku: 'GIFT' });
    expect((await cli('kits', 'delete', 'GIFT')).code).toBe(4);
  });
});
