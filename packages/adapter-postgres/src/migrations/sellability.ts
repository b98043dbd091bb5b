import { type Kysely, sql } from 'kysely';
import type { SchemaLayout } from './initial-schema.js';

/**
 * Migration 0004, sellability: safety stock per stock row (units never sold; 0 for existing
 * rows — adding a column with a constant default rewrites no rows, and on a partitioned `stock`
 * it reaches every partition) and per-SKU selling policies (cart limits).
 */
export async function createSellability(db: Kysely<unknown>, layout: SchemaLayout): Promise<void> {
  const table = (name: string) => sql.id(layout.schema, name);
  const statements = [
    sql`ALTER TABLE ${table('stock')}
      ADD COLUMN safety_stock bigint NOT NULL DEFAULT 0 CHECK (safety_stock >= 0)`,
    sql`CREATE TABLE ${table('sku_policies')} (
      sku text PRIMARY KEY,
      min_per_cart bigint CHECK (min_per_cart >= 1),
      max_per_cart bigint CHECK (max_per_cart >= 1),
      version bigint NOT NULL CHECK (version >= 1),
      updated_at timestamptz NOT NULL,
      CHECK (min_per_cart IS NULL OR max_per_cart IS NULL OR min_per_cart <= max_per_cart)
    )`,
  ];
  for (const statement of statements) await statement.execute(db);
}
