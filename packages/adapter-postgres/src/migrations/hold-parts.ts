import { type Kysely, sql } from 'kysely';
import type { SchemaLayout } from './initial-schema.js';

/**
 * Migration 0009: partial commit and release. Each reservation line counts the units already
 * committed and released while its hold was ACTIVE (0 for existing lines); the units it still
 * holds are `quantity - committed - released`. Adding columns with a constant default does not
 * rewrite the table; the CHECK scans it once.
 */
export async function addHoldParts(db: Kysely<unknown>, layout: SchemaLayout): Promise<void> {
  const lines = sql.id(layout.schema, 'reservation_lines');
  await sql`ALTER TABLE ${lines}
    ADD COLUMN committed bigint NOT NULL DEFAULT 0 CHECK (committed >= 0),
    ADD COLUMN released bigint NOT NULL DEFAULT 0 CHECK (released >= 0),
    ADD CONSTRAINT reservation_line_parts CHECK (committed + released <= quantity)`.execute(db);
}
