import { type Kysely, sql } from 'kysely';
import type { SchemaLayout } from './initial-schema.js';

/**
 * Migration 0007: backorders. Stock rows get a `backordered` bucket (units promised beyond what
 * was sellable, not part of `total`), reservation lines their `backordered` units (with a
 * partial index: the queue a restock fills), SKU policies a backorder policy and limit, the
 * ledger a `backordered` delta and after-value (0 for every existing movement) and the
 * `BACKORDER_FILL` type, checkpoints a `backordered` quantity. Adding columns with constant
 * defaults rewrites no table; the new type CHECK scans the ledger once.
 */
export async function createBackorders(db: Kysely<unknown>, layout: SchemaLayout): Promise<void> {
  const table = (name: string) => sql.id(layout.schema, name);
  const statements = [
    sql`ALTER TABLE ${table('stock')}
      ADD COLUMN backordered bigint NOT NULL DEFAULT 0 CHECK (backordered >= 0)`,
    sql`ALTER TABLE ${table('reservation_lines')}
      ADD COLUMN backordered bigint NOT NULL DEFAULT 0
        CHECK (backordered >= 0 AND backordered <= quantity)`,
    sql`CREATE INDEX reservation_lines_waiting ON ${table('reservation_lines')}
      (sku, warehouse_id) WHERE backordered > 0`,
    sql`ALTER TABLE ${table('sku_policies')}
      ADD COLUMN backorder_policy text NOT NULL DEFAULT 'DENY'
        CHECK (backorder_policy IN ('DENY', 'CONTINUE')),
      ADD COLUMN backorder_limit bigint CHECK (backorder_limit IS NULL OR backorder_limit >= 0)`,
    sql`ALTER TABLE ${table('movements')}
      ADD COLUMN delta_backordered bigint NOT NULL DEFAULT 0,
      ADD COLUMN after_backordered bigint NOT NULL DEFAULT 0 CHECK (after_backordered >= 0)`,
    sql`ALTER TABLE ${table('ledger_checkpoints')}
      ADD COLUMN backordered bigint NOT NULL DEFAULT 0 CHECK (backordered >= 0)`,
    sql`ALTER TABLE ${table('movements')} DROP CONSTRAINT IF EXISTS movement_type`,
    sql`ALTER TABLE ${table('movements')} ADD CONSTRAINT movement_type CHECK (type IN ('RESTOCK',
      'SALE', 'RESERVATION', 'RELEASE', 'EXPIRATION', 'REFUND', 'RETURN', 'TRANSFER_OUT',
      'TRANSFER_IN', 'ADJUSTMENT', 'DAMAGE', 'WRITE_OFF', 'RESTORE', 'BACKORDER_FILL'))`,
  ];
  for (const statement of statements) await statement.execute(db);
}
