import { type Kysely, sql } from 'kysely';
import type { SchemaLayout } from './initial-schema.js';

/**
 * The second migration: ledger checkpoints (a verified snapshot of a stock row at a version,
 * written by reconciliation) and the archive horizon. Both are plain tables in either layout:
 * checkpoints hold one row per stock row and retained checkpoint (archiving prunes the
 * superseded ones), far fewer than movements, and they are read by (sku, warehouse_id), which
 * the primary key serves without partition pruning.
 */
export async function createLedgerHistory(
  db: Kysely<unknown>,
  layout: SchemaLayout,
): Promise<void> {
  const table = (name: string) => sql.id(layout.schema, name);
  const statements = [
    sql`CREATE TABLE ${table('ledger_checkpoints')} (
      sku text NOT NULL,
      warehouse_id text NOT NULL,
      version bigint NOT NULL CHECK (version >= 1),
      available bigint NOT NULL CHECK (available >= 0),
      reserved bigint NOT NULL CHECK (reserved >= 0),
      damaged bigint NOT NULL CHECK (damaged >= 0),
      in_transit bigint NOT NULL CHECK (in_transit >= 0),
      moved_at timestamptz NOT NULL,
      last_restocked_at timestamptz,
      last_sold_at timestamptz,
      verified_at timestamptz NOT NULL,
      CONSTRAINT ledger_checkpoint_key PRIMARY KEY (sku, warehouse_id, version)
    )`,
    sql`CREATE INDEX ${sql.id('ledger_checkpoints_by_time')} ON ${table('ledger_checkpoints')} (moved_at)`,
    sql`CREATE TABLE ${table('ledger_horizon')} (
      id integer PRIMARY KEY CHECK (id = 1),
      archived_before timestamptz NOT NULL,
      updated_at timestamptz NOT NULL
    )`,
  ];
  for (const statement of statements) await statement.execute(db);
}
