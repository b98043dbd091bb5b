import { type Kysely, sql } from 'kysely';
import { CHANGE_CHANNEL } from '../postgres-change-feed.js';
import type { SchemaLayout } from './initial-schema.js';

/**
 * Migration 0005: sales channels (a named set of warehouses). Warehouse ids are a `text[]`
 * (a channel is read whole, and there are few); `display` is the strategy as text (`exact`,
 * `capped:10`, `levels:5`). A statement trigger notifies every committed channel change on the
 * change feed's channel as a warehouse-directory change (`w|<schema>|`), so every process drops
 * its warehouse and channel lists at once.
 */
export async function createSalesChannels(
  db: Kysely<unknown>,
  layout: SchemaLayout,
): Promise<void> {
  const table = (name: string) => sql.id(layout.schema, name);
  const statements = [
    sql`CREATE TABLE ${table('sales_channels')} (
      id text PRIMARY KEY,
      name text NOT NULL,
      warehouse_ids text[] NOT NULL,
      display text NOT NULL,
      version bigint NOT NULL CHECK (version >= 1),
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL
    )`,
    sql`CREATE FUNCTION ${table('stockroom_notify_channel_change')}() RETURNS trigger
      LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify(${sql.lit(CHANGE_CHANNEL)}, 'w|' || TG_TABLE_SCHEMA || '|');
        RETURN NULL;
      END $$`,
    sql`CREATE TRIGGER stockroom_channel_changes
      AFTER INSERT OR UPDATE OR DELETE ON ${table('sales_channels')}
      FOR EACH STATEMENT EXECUTE FUNCTION ${table('stockroom_notify_channel_change')}()`,
  ];
  for (const statement of statements) await statement.execute(db);
}
