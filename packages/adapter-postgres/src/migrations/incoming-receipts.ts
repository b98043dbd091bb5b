import { type Kysely, sql } from 'kysely';
import type { SchemaLayout } from './initial-schema.js';

/**
 * Migration 0008, incoming stock and preorders: the `incoming_receipts` table (units expected in
 * a warehouse, with their received and preordered counts), the preorder fields of a
 * reservation line (0 and NULL for existing lines) and the per-SKU `allow_preorder` flag (0 for
 * existing policies; a smallint 0/1 as SQLite stores it, so one kit query serves both stores).
 * Adding columns with constant defaults rewrites no rows.
 */
export async function createIncomingReceipts(
  db: Kysely<unknown>,
  layout: SchemaLayout,
): Promise<void> {
  const table = (name: string) => sql.id(layout.schema, name);
  const statements = [
    sql`CREATE TABLE ${table('incoming_receipts')} (
      id text PRIMARY KEY,
      sku text NOT NULL,
      warehouse_id text NOT NULL REFERENCES ${table('warehouses')} (id),
      quantity bigint NOT NULL CHECK (quantity > 0),
      received_quantity bigint NOT NULL CHECK (received_quantity >= 0),
      preordered_quantity bigint NOT NULL CHECK (preordered_quantity >= 0),
      expected_at timestamptz NOT NULL,
      reference text,
      status text NOT NULL
        CHECK (status IN ('EXPECTED', 'PARTIALLY_RECEIVED', 'RECEIVED', 'CANCELLED')),
      created_at timestamptz NOT NULL,
      received_at timestamptz,
      cancelled_at timestamptz,
      version bigint NOT NULL CHECK (version >= 1),
      CHECK (received_quantity + preordered_quantity <= quantity)
    )`,
    sql`CREATE INDEX incoming_receipts_by_sku ON ${table('incoming_receipts')} (sku, status)`,
    sql`CREATE INDEX incoming_receipts_by_warehouse ON ${table('incoming_receipts')} (warehouse_id, id)`,
    sql`ALTER TABLE ${table('reservation_lines')}
      ADD COLUMN preordered bigint NOT NULL DEFAULT 0 CHECK (preordered >= 0),
      ADD COLUMN receipt_id text,
      ADD COLUMN expected_at timestamptz`,
    sql`CREATE INDEX reservation_lines_by_receipt ON ${table('reservation_lines')} (receipt_id)
      WHERE receipt_id IS NOT NULL`,
    sql`ALTER TABLE ${table('sku_policies')}
      ADD COLUMN allow_preorder smallint NOT NULL DEFAULT 0 CHECK (allow_preorder IN (0, 1))`,
  ];
  for (const statement of statements) await statement.execute(db);
}
