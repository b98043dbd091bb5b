import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { describe, expect, it } from 'vitest';
import {
  MIGRATION_LOCK_TABLE,
  MIGRATION_TABLE,
  migrateToLatest,
  SQLITE_MIGRATIONS,
} from '../src/index.js';
import { openDatabase, openStore, tempFile } from './fixtures/temp-store.js';

describe('migration 0003: one table name in both SQL stores', () => {
  it('renames alerts to low_stock_alerts in a database made before it, keeping its rows', async () => {
    const filename = tempFile();
    const database = openDatabase(filename);
    // A database as the store left it before 0003: the first two migrations only.
    const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database }) });
    const migrator = new Migrator({
      db,
      provider: {
        getMigrations: async () => ({
          '0001_initial_schema': SQLITE_MIGRATIONS['0001_initial_schema']!,
          '0002_ledger_history': SQLITE_MIGRATIONS['0002_ledger_history']!,
        }),
      },
      migrationTableName: MIGRATION_TABLE,
      migrationLockTableName: MIGRATION_LOCK_TABLE,
    });
    expect((await migrator.migrateToLatest()).error).toBeUndefined();
    const triggeredAt = Date.parse('2026-03-01T12:00:00.000Z');
    database
      .prepare(
        `INSERT INTO alerts (id, sku, warehouse_id, current_quantity, threshold, status, triggered_at)
         VALUES ('alr_1', 'A', 'paris', 2, 5, 'TRIGGERED', ?)`,
      )
      .run(triggeredAt);

    expect(await migrateToLatest(database)).toEqual({
      executed: [
        '0003_table_names',
        '0004_sellability',
        '0005_sales_channels',
        '0006_damaged_unit_movements',
        '0007_backorders',
        '0008_incoming_receipts',
        '0009_hold_parts',
        '0010_reservation_listing',
        '0011_kits',
        '0012_reservation_indexes',
      ],
    });
    const tables = database
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '%alerts'")
      .all();
    expect(tables).toEqual([{ name: 'low_stock_alerts' }]);
    // The partial unique index came along: still one open alert per row.
    expect(() =>
      database
        .prepare(
          `INSERT INTO low_stock_alerts (id, sku, warehouse_id, current_quantity, threshold, status, triggered_at)
           VALUES ('alr_2', 'A', 'paris', 1, 5, 'TRIGGERED', ?)`,
        )
        .run(triggeredAt),
    ).toThrow(expect.objectContaining({ code: 'SQLITE_CONSTRAINT_UNIQUE' }));
    await db.destroy();

    const store = await openStore({ filename });
    const page = await store.reads.alerts({}, {});
    expect(page.items).toEqual([
      {
        id: 'alr_1',
        sku: 'A',
        warehouseId: 'paris',
        currentQuantity: 2,
        threshold: 5,
        status: 'TRIGGERED',
        triggeredAt: new Date(triggeredAt),
        acknowledgedAt: null,
        acknowledgedBy: null,
        resolvedAt: null,
      },
    ]);
  });
});
