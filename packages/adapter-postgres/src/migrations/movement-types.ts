import { type Kysely, sql } from 'kysely';
import type { SchemaLayout } from './initial-schema.js';

/**
 * Migration 0006: the ledger accepts the damaged-unit movements `WRITE_OFF` (damaged → gone)
 * and `RESTORE` (damaged → available). The type CHECK of the first migration was unnamed, so
 * PostgreSQL called it `movements_type_check`; it is replaced by a named one (on a partitioned
 * table the change reaches every partition). Adding the CHECK scans the ledger once.
 */
export async function allowDamagedUnitMovements(
  db: Kysely<unknown>,
  layout: SchemaLayout,
): Promise<void> {
  const movements = sql.id(layout.schema, 'movements');
  await sql`ALTER TABLE ${movements} DROP CONSTRAINT IF EXISTS movements_type_check`.execute(db);
  await sql`ALTER TABLE ${movements} ADD CONSTRAINT movement_type CHECK (type IN ('RESTOCK',
    'SALE', 'RESERVATION', 'RELEASE', 'EXPIRATION', 'REFUND', 'RETURN', 'TRANSFER_OUT',
    'TRANSFER_IN', 'ADJUSTMENT', 'DAMAGE', 'WRITE_OFF', 'RESTORE'))`.execute(db);
}
