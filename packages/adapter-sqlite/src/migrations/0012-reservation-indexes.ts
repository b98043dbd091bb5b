import { type Migration, sql } from 'kysely';

// One index entry fewer per reservation written: `reservations_by_expiry` (expires_at, id), from
// 0010. An expiry range with a status is searched in `reservations_due` (status, expires_at, id);
// one without walks `reservations_by_created` newest first, which SQLite chose for open ranges
// already (expiry follows creation, and `expiresTo` bounds creation), and now also for closed
// ones, where it read the whole range and sorted it.

/** Drops the reservation index that the listing no longer needs. */
export const reservationIndexes: Migration = {
  up: async (db) => {
    await sql`DROP INDEX IF EXISTS reservations_by_expiry`.execute(db);
  },
  down: async (db) => {
    await sql`CREATE INDEX reservations_by_expiry ON reservations (expires_at, id)`.execute(db);
  },
};
