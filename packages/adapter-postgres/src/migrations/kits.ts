import { type Kysely, sql } from 'kysely';
import { CHANGE_CHANNEL } from '../postgres-change-feed.js';
import type { SchemaLayout } from './initial-schema.js';

/**
 * Migration 0011: kits (bundles), a header per kit SKU and its components, and
 * `reservation_lines.kit_sku` (the kit a line's units are components of; null for plain units —
 * a nullable column without a default rewrites nothing). A statement trigger notifies every
 * committed kit change on the change feed's channel as a warehouse-directory change
 * (`w|<schema>|`), so every process drops its warehouse and kit lists at once.
 */
export async function createKits(db: Kysely<unknown>, layout: SchemaLayout): Promise<void> {
  const table = (name: string) => sql.id(layout.schema, name);
  const statements = [
    sql`CREATE TABLE ${table('kits')} (
      sku text PRIMARY KEY,
      shipping text NOT NULL CHECK (shipping IN ('SINGLE_WAREHOUSE', 'SPLIT')),
      version bigint NOT NULL CHECK (version >= 1),
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL
    )`,
    sql`CREATE TABLE ${table('kit_components')} (
      kit_sku text NOT NULL REFERENCES ${table('kits')} (sku) ON DELETE CASCADE,
      component_sku text NOT NULL,
      quantity bigint NOT NULL CHECK (quantity > 0),
      PRIMARY KEY (kit_sku, component_sku)
    )`,
    sql`CREATE INDEX kit_components_by_component ON ${table('kit_components')} (component_sku)`,
    sql`ALTER TABLE ${table('reservation_lines')} ADD COLUMN kit_sku text`,
    sql`CREATE FUNCTION ${table('stockroom_notify_kit_change')}() RETURNS trigger
      LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify(${sql.lit(CHANGE_CHANNEL)}, 'w|' || TG_TABLE_SCHEMA || '|');
        RETURN NULL;
      END $$`,
    sql`CREATE TRIGGER stockroom_kit_changes
      AFTER INSERT OR UPDATE OR DELETE ON ${table('kits')}
      FOR EACH STATEMENT EXECUTE FUNCTION ${table('stockroom_notify_kit_change')}()`,
  ];
  for (const statement of statements) await statement.execute(db);
}
