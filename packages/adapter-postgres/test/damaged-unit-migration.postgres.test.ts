import { describe, expect, it } from 'vitest';
import { migrateToLatest } from '../src/index.js';
import { adminQuery, DATABASE_URL, dropSchema, skipReason, uniqueSchema } from './support.js';

const OLD_TYPES = `'RESTOCK', 'SALE', 'RESERVATION', 'RELEASE', 'EXPIRATION', 'REFUND', 'RETURN',
  'TRANSFER_OUT', 'TRANSFER_IN', 'ADJUSTMENT', 'DAMAGE'`;

/** Inserts one movement of `type` for row A@paris at `version` (quantities kept consistent). */
function insert(schema: string, id: string, type: string, version: number) {
  return adminQuery(
    `INSERT INTO "${schema}".movements (id, sku, warehouse_id, type, delta_available,
       delta_reserved, delta_damaged, delta_in_transit, after_available, after_reserved,
       after_damaged, after_in_transit, version, created_at)
     VALUES ($1, 'A', 'paris', $2, 0, 0, 0, 0, 1, 0, 1, 0, $3, now())`,
    [id, type, version],
  );
}

describe.skipIf(skipReason)('migration 0006: damaged-unit movements (PostgreSQL)', () => {
  for (const partitions of [0, 4]) {
    it(`upgrades a schema holding a ledger (partitions: ${partitions})`, async () => {
      const schema = uniqueSchema(`dmg_${partitions}`);
      try {
        await migrateToLatest({ connectionString: DATABASE_URL, schema, partitions });
        // Back to the schema as 0002 left it: the first migration's unnamed type CHECK.
        await adminQuery(`ALTER TABLE "${schema}".movements DROP CONSTRAINT movement_type`);
        await adminQuery(`ALTER TABLE "${schema}".movements ADD CHECK (type IN (${OLD_TYPES}))`);
        await adminQuery(
          `DELETE FROM "${schema}".stockroom_migration WHERE name = '0006_damaged_unit_movements'`,
        );
        await insert(schema, 'm1', 'DAMAGE', 1);
        await expect(insert(schema, 'm2', 'WRITE_OFF', 2)).rejects.toMatchObject({
          code: '23514',
        });

        expect(await migrateToLatest({ connectionString: DATABASE_URL, schema })).toEqual([
          '0006_damaged_unit_movements',
        ]);
        await insert(schema, 'm2', 'WRITE_OFF', 2);
        await insert(schema, 'm3', 'RESTORE', 3);
        await expect(insert(schema, 'm4', 'LOST', 4)).rejects.toMatchObject({ code: '23514' });
        const rows = await adminQuery(
          `SELECT id, type FROM "${schema}".movements ORDER BY version`,
        );
        expect(rows.rows).toEqual([
          { id: 'm1', type: 'DAMAGE' },
          { id: 'm2', type: 'WRITE_OFF' },
          { id: 'm3', type: 'RESTORE' },
        ]);
      } finally {
        await dropSchema(schema);
      }
    });
  }
});
