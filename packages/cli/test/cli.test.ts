import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { InventoryStock, Stockroom } from '@stockroom/core';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWarehouses, openSqlite, stockroom, workspace } from './support.js';

const WAREHOUSES = ['east', 'north', 'south', 'west'];

/**
 * `count` data rows: SKUs × 4 warehouses, `available` = row index mod 500; with `withBadRows`,
 * three bad rows at known lines (of a 100,000-row file).
 */
function stockCsv(count: number, withBadRows: boolean): { text: string; bad: Map<number, string> } {
  const lines = ['sku,warehouseId,available'];
  const bad = new Map<number, string>();
  for (let index = 0; index < count; index += 1) {
    const sku = `SKU-${String(Math.floor(index / 4)).padStart(6, '0')}`;
    const warehouse = WAREHOUSES[index % 4]!;
    const line = index + 2;
    if (!withBadRows) {
      lines.push(`${sku},${warehouse},${index % 500}`);
    } else if (index === 10) {
      lines.push(`${sku},${warehouse},twelve`);
      bad.set(line, 'VALIDATION_FAILED');
    } else if (index === 50_001) {
      lines.push(`${sku},atlantis,5`);
      bad.set(line, 'NOT_FOUND');
    } else if (index === 99_999) {
      // A second row for the first row's SKU and warehouse.
      lines.push('SKU-000000,east,1');
      bad.set(line, 'VALIDATION_FAILED');
    } else {
      lines.push(`${sku},${warehouse},${index % 500}`);
    }
  }
  return { text: `${lines.join('\n')}\n`, bad };
}

/** Every stock row, every field (versions and times included). */
async function allRows(store: Stockroom): Promise<InventoryStock[]> {
  const rows: InventoryStock[] = [];
  let cursor: string | null = null;
  do {
    const page = await store.store.reads.allStock({ limit: 1000, cursor });
    rows.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return rows;
}

/** A migrated SQLite store (the CLI's default file in a temporary folder) with the warehouses. */
async function preparedStore(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const prepared = await workspace();
  const migrated = await stockroom(['migrate', '--json'], { cwd: prepared.dir });
  expect(migrated.code).toBe(0);
  expect(JSON.parse(migrated.stdout).applied.length).toBeGreaterThan(0);
  const store = await openSqlite(join(prepared.dir, 'data', 'stockroom.db'));
  await createWarehouses(store, WAREHOUSES);
  await store.close();
  return prepared;
}

describe('stockroom import of 100,000 rows (SQLite)', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const database = () => join(dir, 'data', 'stockroom.db');
  beforeAll(async () => {
    ({ dir, cleanup } = await preparedStore());
  });
  afterAll(() => cleanup());

  it('imports 100,000 rows with progress lines and reports exactly the bad rows', async () => {
    const { text, bad } = stockCsv(100_000, true);
    await writeFile(join(dir, 'big.csv'), text);
    const run = await stockroom(['import', 'big.csv', '--json'], { cwd: dir });
    expect(run.code).toBe(3);
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({ rows: 100_000, applied: 99_997, failed: 3, dryRun: false });
    // Not a TTY: plain progress lines on stderr, several of them, ending at 100%.
    const progress = run.stderr.split('\n').filter((line) => line.startsWith('importing:'));
    expect(progress.length).toBeGreaterThanOrEqual(5);
    expect(progress.at(-1)).toMatch(/^importing: 100% 100,000 rows, 3 failed .* done$/);

    const report = (await readFile(result.errorsFile, 'utf8')).trim().split('\n');
    expect(report[0]).toBe('line,sku,warehouseId,code,detail');
    const reported = new Map(
      report.slice(1).map((line) => {
        const [number, , , code] = line.split(',');
        return [Number(number), code!];
      }),
    );
    expect(reported).toEqual(bad);

    const store = await openSqlite(database());
    try {
      const rows = await store.store.reads.stockBySkus(['SKU-000000', 'SKU-012500', 'SKU-024999']);
      expect(rows.map((row) => [row.sku, row.warehouseId, row.available])).toEqual([
        ['SKU-000000', 'east', 0],
        ['SKU-000000', 'north', 1],
        ['SKU-000000', 'south', 2],
        ['SKU-000000', 'west', 3],
        ['SKU-012500', 'east', 0],
        // line of index 50,001 (north) was the unknown warehouse
        ['SKU-012500', 'south', 2],
        ['SKU-012500', 'west', 3],
        ['SKU-024999', 'east', 496],
        ['SKU-024999', 'north', 497],
        ['SKU-024999', 'south', 498],
      ]);
    } finally {
      await store.close();
    }
  });
});

describe('stockroom export, import, stock and reconcile on 10,000 rows (SQLite)', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const database = () => join(dir, 'data', 'stockroom.db');
  beforeAll(async () => {
    ({ dir, cleanup } = await preparedStore());
    await writeFile(join(dir, 'levels-in.csv'), stockCsv(10_000, false).text);
    const imported = await stockroom(['import', 'levels-in.csv', '--json'], { cwd: dir });
    expect(imported.code, imported.stderr).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({ rows: 10_000, applied: 10_000, failed: 0 });
  });
  afterAll(() => cleanup());

  it('export → import leaves every row identical, in the same store and in a fresh one', async () => {
    const store = await openSqlite(database());
    await store.adjustments.updateSettings({
      sku: 'SKU-000001',
      warehouseId: 'east',
      lowStockThreshold: 3,
      reorderPoint: 7,
      maxStockLevel: 900,
      safetyStock: 2,
    });
    await store.reservations.reserve({ items: [{ sku: 'SKU-000002', quantity: 1 }] });
    const before = await allRows(store);
    await store.close();

    const exported = await stockroom(['export', '-o', 'levels.csv', '--json'], { cwd: dir });
    expect(exported.code).toBe(0);
    expect(JSON.parse(exported.stdout).rows).toBe(10_000);
    const csv = await readFile(join(dir, 'levels.csv'), 'utf8');
    expect(csv.split('\n')[0]).toBe(
      'sku,warehouseId,available,reserved,damaged,inTransit,lowStockThreshold,reorderPoint,maxStockLevel,safetyStock,backordered',
    );
    expect(csv).toContain('\nSKU-000001,east,4,0,0,0,3,7,900,2,0\n');

    // Into the same store: nothing changes, not even a version.
    const again = await stockroom(['import', 'levels.csv', '--json'], { cwd: dir });
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({
      rows: 10_000,
      applied: 10_000,
      changed: 0,
      settingsChanged: 0,
      failed: 0,
    });
    const reopened = await openSqlite(database());
    const after = await allRows(reopened);
    await reopened.close();
    expect(after).toHaveLength(10_000);
    expect(after).toEqual(before);

    // Into a fresh store: its export is the same file, byte for byte (reserved units excepted:
    // they come from reservations, which an import does not create).
    const fresh = join(dir, 'fresh.db');
    const target = await openSqlite(fresh);
    await createWarehouses(target, WAREHOUSES);
    await target.close();
    const imported = await stockroom(['import', 'levels.csv', '--database', fresh, '--json'], {
      cwd: dir,
    });
    expect(imported.code).toBe(0);
    const copy = await stockroom(['export', '--database', `sqlite:${fresh}`], { cwd: dir });
    expect(copy.code).toBe(0);
    expect(csv.match(/^SKU-000002,\w+,\d+,1,0,0,10,20,,0,0$/gm)).toHaveLength(1);
    expect(copy.stdout).toBe(csv.replace(/^([^,]+,[^,]+,\d+),\d+,/gm, '$1,0,'));
  });

  it('--dry-run writes nothing; --atomic applies nothing when a row fails', async () => {
    await writeFile(
      join(dir, 'small.csv'),
      'sku,warehouseId,available\nSKU-000003,east,77\nSKU-000003,atlantis,1\n',
    );
    const dry = await stockroom(['import', 'small.csv', '--dry-run', '--json'], { cwd: dir });
    expect(dry.code).toBe(3);
    expect(JSON.parse(dry.stdout)).toMatchObject({ rows: 2, applied: 1, changed: 1, failed: 1 });
    const atomic = await stockroom(['import', 'small.csv', '--atomic', '--json'], { cwd: dir });
    expect(atomic.code).toBe(3);
    expect(JSON.parse(atomic.stdout)).toMatchObject({ rows: 2, applied: 0, failed: 1 });
    const stock = await stockroom(['stock', 'SKU-000003', '--json'], { cwd: dir });
    expect(JSON.parse(stock.stdout).warehouses[0]).toMatchObject({
      warehouseId: 'east',
      available: 12,
    });
  });

  it('stock --as-of replays the ledger to a past instant', async () => {
    const store = await openSqlite(database());
    const [row] = await store.store.reads.stockBySku('SKU-000004');
    const instant = new Date(Date.now() + 1);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await store.adjustments.adjust({
      sku: 'SKU-000004',
      warehouseId: row!.warehouseId,
      type: 'RESTOCK',
      quantity: 40,
    });
    await store.close();
    const now = JSON.parse(
      (await stockroom(['stock', 'SKU-000004', '--json'], { cwd: dir })).stdout,
    );
    const then = JSON.parse(
      (
        await stockroom(['stock', 'SKU-000004', '--as-of', instant.toISOString(), '--json'], {
          cwd: dir,
        })
      ).stdout,
    );
    expect(now.available - then.available).toBe(40);
    expect(then.asOf).toBe(instant.toISOString());
  });

  it('reconcile reports an injected mismatch, and --repair records it', async () => {
    const sqlite = new Database(database());
    sqlite
      .prepare(
        "UPDATE stock SET available = available + 5, total = total + 5 WHERE sku = 'SKU-000005' AND warehouse_id = 'north'",
      )
      .run();
    sqlite.close();
    const found = await stockroom(['reconcile', '--json'], { cwd: dir });
    expect(found.code).toBe(3);
    const result = JSON.parse(found.stdout);
    expect(result.checked).toBe(10_000);
    expect(result.discrepancies).toEqual([
      {
        sku: 'SKU-000005',
        warehouseId: 'north',
        kind: 'ledger',
        bucket: 'available',
        stored: 26,
        expected: 21,
      },
    ]);
    const text = await stockroom(['reconcile'], { cwd: dir });
    expect(text.stdout).toMatch(/SKU-000005 +north +ledger +available +26 +21/);
    const repaired = await stockroom(['reconcile', '--repair', '--json'], { cwd: dir });
    expect(repaired.code).toBe(0);
    expect(JSON.parse(repaired.stdout).repaired).toBe(1);
    const clean = await stockroom(['reconcile', '--json'], { cwd: dir });
    expect(clean.code).toBe(0);
    expect(JSON.parse(clean.stdout).discrepancies).toEqual([]);
  });
});

describe('stockroom keys, usage and errors', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ dir, cleanup } = await workspace());
  });
  afterAll(() => cleanup());

  it('creates, lists and revokes keys, keeping only their hash', async () => {
    const created = await stockroom(
      ['keys', 'create', '--role', 'readonly', '--name', 'ci', '--json'],
      {
        cwd: dir,
      },
    );
    expect(created.code).toBe(0);
    const { key, id } = JSON.parse(created.stdout);
    expect(key).toMatch(/^sk_readonly_[\w-]{32}$/);
    const file = await readFile(join(dir, 'data', 'api-keys.json'), 'utf8');
    expect(file).not.toContain(key);
    const listed = JSON.parse((await stockroom(['keys', 'list', '--json'], { cwd: dir })).stdout);
    expect(listed.keys).toEqual([
      expect.objectContaining({ id, role: 'readonly', name: 'ci', revokedAt: null }),
    ]);
    expect(listed.keys[0].sha256).toBeUndefined();
    const revoked = await stockroom(['keys', 'revoke', id, '--json'], { cwd: dir });
    expect(revoked.code).toBe(0);
    expect(JSON.parse(revoked.stdout).revokedAt).toEqual(expect.any(String));
    const unknown = await stockroom(['keys', 'revoke', 'key_000000000000'], { cwd: dir });
    expect(unknown.code).toBe(4);
  });

  it('answers a wrong call with exit code 2 and a missing file with a message', async () => {
    const role = await stockroom(['keys', 'create', '--role', 'root'], { cwd: dir });
    expect(role.code).toBe(2);
    expect(role.stderr).toContain('Allowed choices are admin, storefront, readonly');
    const missing = await stockroom(['import', 'nope.csv'], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no such file: nope.csv');
    const url = await stockroom(['migrate', '--database', 'mysql://x/y'], { cwd: dir });
    expect(url.code).toBe(2);
    const header = join(dir, 'header.csv');
    await writeFile(header, 'sku,qty\nA,1\n');
    const bad = await stockroom(['import', header, '--json'], { cwd: dir });
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stderr)).toMatchObject({ error: 'BAD_FILE' });
  });
});
