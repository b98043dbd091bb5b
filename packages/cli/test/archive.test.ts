import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createSqliteStockStore } from '@stockroom/adapter-sqlite';
import { createStockroom, ManualClock } from '@stockroom/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stockroom, workspace } from './support.js';

// `stockroom archive`: reconcile (checkpoints), then the movements before the instant go to an
// NDJSON file and leave the store; a point-in-time read before the horizon is refused.

describe('stockroom archive (SQLite)', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ dir, cleanup } = await workspace());
    const migrated = await stockroom(['migrate', '--json'], { cwd: dir });
    expect(migrated.code, migrated.stderr).toBe(0);
    const clock = new ManualClock('2025-03-01T10:00:00.000Z');
    const store = await createSqliteStockStore({ filename: join(dir, 'data', 'stockroom.db') });
    const library = createStockroom({ store, clock });
    await library.warehouses.create({ id: 'paris', name: 'Paris' });
    const context = { actor: 'test' };
    for (const quantity of [5, 7, 11]) {
      await library.adjustments.adjust(
        { sku: 'ARCH-1', warehouseId: 'paris', type: 'RESTOCK', quantity },
        context,
      );
      clock.advance(60_000);
    }
    // A reconciliation then writes the checkpoint that covers these three movements.
    await library.reconciliation.reconcile({}, context);
    clock.set(new Date('2026-02-01T10:00:00.000Z'));
    await library.adjustments.adjust(
      { sku: 'ARCH-1', warehouseId: 'paris', type: 'RESTOCK', quantity: 2 },
      context,
    );
    await store.close();
  });
  afterAll(() => cleanup());

  it('moves the movements before the instant to the file, then refuses an as-of before it', async () => {
    const archived = await stockroom(
      ['archive', '--before', '2026-01-01T00:00:00Z', '--out', 'archive.ndjson', '--json'],
      { cwd: dir },
    );
    expect(archived.code, archived.stderr).toBe(0);
    const result = JSON.parse(archived.stdout) as { exported: number; removed: number };
    expect(result).toMatchObject({ exported: 3, removed: 3 });
    const lines = (await readFile(join(dir, 'archive.ndjson'), 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(3);
    const movements = lines.map(
      (line) => JSON.parse(line) as { sku: string; createdAt: string; type: string },
    );
    expect(movements.map((movement) => movement.sku)).toEqual(['ARCH-1', 'ARCH-1', 'ARCH-1']);
    expect(movements.every((movement) => movement.createdAt < '2026-01-01')).toBe(true);

    const now = await stockroom(['stock', 'ARCH-1', '--json'], { cwd: dir });
    expect(now.code, now.stderr).toBe(0);
    expect(now.stdout).toContain('25');

    const before = await stockroom(
      ['stock', 'ARCH-1', '--as-of', '2025-06-01T00:00:00Z', '--json'],
      { cwd: dir },
    );
    expect(before.code).not.toBe(0);
    expect(JSON.parse(before.stderr)).toMatchObject({ error: 'HISTORY_ARCHIVED' });
    expect(before.stderr).toContain('2026-01-01');
  });
});
