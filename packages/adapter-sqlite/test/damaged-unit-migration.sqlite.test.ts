import { Kysely, Migrator } from 'kysely';
import { describe, expect, it } from 'vitest';
import { migrateToLatest } from '../src/index.js';
import {
  MIGRATION_LOCK_TABLE,
  MIGRATION_TABLE,
  SQLITE_MIGRATIONS,
} from '../src/migrations/index.js';
import { createSqliteDialect } from '../src/sqlite-dialect.js';
import { openDatabase, tempFile } from './fixtures/temp-store.js';

const INSERT = `INSERT INTO movements (id, sku, warehouse_id, type, delta_available, delta_reserved,
  delta_damaged, delta_in_transit, after_available, after_reserved, after_damaged,
  after_in_transit, version, reason, created_at)
  VALUES (?, 'A', 'paris', ?, ?, 0, ?, 0, ?, 0, ?, 0, ?, ?, 1000)`;

describe('migration 0006: damaged-unit movements', () => {
  it('upgrades a database with a ledger: old movements kept, WRITE_OFF and RESTORE accepted', async () => {
    const database = openDatabase(tempFile());
    const db = new Kysely<unknown>({
      dialect: createSqliteDialect(database, { begin: 'BEGIN IMMEDIATE', owned: false }),
    });
    const migrator = new Migrator({
      db,
      provider: { getMigrations: async () => ({ ...SQLITE_MIGRATIONS }) },
      migrationTableName: MIGRATION_TABLE,
      migrationLockTableName: MIGRATION_LOCK_TABLE,
    });
    const { error } = await migrator.migrateTo('0002_ledger_history');
    await db.destroy();
    expect(error).toBeUndefined();
    database.prepare(INSERT).run('m1', 'RESTOCK', 5, 0, 5, 0, 1, null);
    database.prepare(INSERT).run('m2', 'DAMAGE', -2, 2, 3, 2, 2, null);
    expect(() => database.prepare(INSERT).run('m3', 'WRITE_OFF', 0, -1, 3, 1, 3, 'x')).toThrow(
      /CHECK/,
    );

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
    expect(database.prepare('SELECT id, type, version FROM movements ORDER BY id').all()).toEqual([
      { id: 'm1', type: 'RESTOCK', version: 1 },
      { id: 'm2', type: 'DAMAGE', version: 2 },
    ]);
    database.prepare(INSERT).run('m3', 'WRITE_OFF', 0, -1, 3, 1, 3, 'broken');
    database.prepare(INSERT).run('m4', 'RESTORE', 1, -1, 4, 0, 4, null);
    expect(() => database.prepare(INSERT).run('m5', 'LOST', 0, 0, 4, 0, 5, null)).toThrow(/CHECK/);
    // The ledger's unique (sku, warehouse_id, version) index came back with the table.
    expect(() => database.prepare(INSERT).run('m6', 'RESTOCK', 1, 0, 5, 0, 4, null)).toThrow(
      /UNIQUE/,
    );
    database.close();
  });
});
