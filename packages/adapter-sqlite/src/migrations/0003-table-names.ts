import { type Kysely, type Migration, sql } from 'kysely';

// One name per table in both SQL stores: SQLite's `alerts` becomes `low_stock_alerts`, as on
// PostgreSQL. Its indexes (alerts_one_open, alerts_by_time, alerts_by_status) follow the table.

/** Renames `alerts` to `low_stock_alerts`. */
export const tableNames: Migration = {
  up: async (db: Kysely<unknown>) => {
    await sql`ALTER TABLE alerts RENAME TO low_stock_alerts`.execute(db);
  },
  down: async (db: Kysely<unknown>) => {
    await sql`ALTER TABLE low_stock_alerts RENAME TO alerts`.execute(db);
  },
};
