import { type Kysely, type Migration, sql } from 'kysely';

// Indexes for listing reservations (`reads.reservations`), newest first by (created_at, id):
// `reservations_by_created` serves the unfiltered list, creation ranges, and the walk that probes
// each reservation's lines by primary key for a common SKU; `reservations_by_expiry` narrow
// expiry ranges; `reservation_lines_by_sku` a rare SKU, or a SKU in one warehouse;
// `reservation_lines_by_warehouse` a warehouse. Status and order filters already have
// reservations_by_status, reservations_due and reservations_by_order.
const INDEXES = {
  reservations_by_created: 'reservations (created_at, id)',
  reservations_by_expiry: 'reservations (expires_at, id)',
  reservation_lines_by_sku: 'reservation_lines (sku, warehouse_id, reservation_id)',
  reservation_lines_by_warehouse: 'reservation_lines (warehouse_id, reservation_id)',
} as const;

async function run(db: Kysely<unknown>, statements: readonly string[]): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

/** Indexes for the reservation listing. */
export const reservationListing: Migration = {
  up: (db) =>
    run(
      db,
      Object.entries(INDEXES).map(([name, on]) => `CREATE INDEX ${name} ON ${on}`),
    ),
  down: (db) =>
    run(
      db,
      Object.keys(INDEXES).map((name) => `DROP INDEX ${name}`),
    ),
};
