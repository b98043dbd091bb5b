import { type Kysely, sql } from 'kysely';
import type { SchemaLayout } from './initial-schema.js';

/**
 * Migration 0012: one index entry fewer per reservation written. `reservations_by_expiry`
 * (expires_at, id), added by 0010 for expiry ranges of the listing, duplicated
 * `reservations_due` (status, expires_at, id) but for its leading status: the listing now states
 * `status IN (every status)` beside an expiry range without a status filter, so the range is an
 * index condition of `reservations_due` (one descent per status), the same rows read as before.
 * Every reservation insert and every status change wrote an entry into both.
 */
export async function dropRedundantReservationIndexes(
  db: Kysely<unknown>,
  layout: SchemaLayout,
): Promise<void> {
  await sql`DROP INDEX IF EXISTS ${sql.id(layout.schema, 'reservations_by_expiry')}`.execute(db);
}
