import { type Kysely, sql } from 'kysely';
import type { SchemaLayout } from './initial-schema.js';

/**
 * Migration 0010: indexes for listing reservations (`reads.reservations`), newest first by
 * (created_at, id). `reservations_by_created` serves the unfiltered list, creation ranges, and
 * the walk that probes each reservation's lines by primary key for a common SKU;
 * `reservations_by_expiry` narrow expiry ranges; `reservation_lines_by_sku` (sku, warehouse_id,
 * reservation_id) a rare SKU, or a SKU in one warehouse; `reservation_lines_by_warehouse` a
 * warehouse. Status and order filters already have `reservations_by_status`, `reservations_due`
 * and `reservations_by_order`. Built inside the migration transaction (CREATE INDEX
 * CONCURRENTLY cannot run in one), so writes to these tables wait while they are built.
 */
export async function createReservationListingIndexes(
  db: Kysely<unknown>,
  layout: SchemaLayout,
): Promise<void> {
  const table = (name: string) => sql.id(layout.schema, name);
  const statements = [
    sql`CREATE INDEX reservations_by_created ON ${table('reservations')} (created_at, id)`,
    sql`CREATE INDEX reservations_by_expiry ON ${table('reservations')} (expires_at, id)`,
    sql`CREATE INDEX reservation_lines_by_sku
      ON ${table('reservation_lines')} (sku, warehouse_id, reservation_id)`,
    sql`CREATE INDEX reservation_lines_by_warehouse
      ON ${table('reservation_lines')} (warehouse_id, reservation_id)`,
  ];
  for (const statement of statements) await statement.execute(db);
}
